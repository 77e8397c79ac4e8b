"""Integer Rupiah arithmetic: basis points and half-up rounding, never floats."""


def apply_bp(amount: int, bp: int) -> int:
    """`amount × bp / 10,000`, rounded half up to a whole Rupiah.

    Example:
        >>> apply_bp(5_000_000, 400)
        200000
    """
    return (amount * bp + 5_000) // 10_000


def apply_bp_of_bp(amount: int, bp: int, of_bp: int) -> int:
    """`bp` of `of_bp` of `amount` (`amount × of_bp/10,000 × bp/10,000`), rounded half up to a whole Rupiah once.

    Example:
        >>> apply_bp_of_bp(3_461_100, 500, 4_500)  # 5% of 45%: 77,874.75
        77875
    """
    return (amount * of_bp * bp + 50_000_000) // 100_000_000


def at_least_bp(numerator: int, denominator: int, threshold_bp: int) -> bool:
    """Whether numerator ÷ denominator ≥ threshold_bp / 10,000, exactly."""
    return denominator > 0 and numerator * 10_000 >= threshold_bp * denominator


def split_evenly(total: int, parts: int) -> list[int]:
    """Split `total` Rupiah into `parts` whole amounts that differ by at most 1 and sum to `total`.

    The first installments carry the remainder.

    Example:
        >>> split_evenly(100, 3)
        [34, 33, 33]
    """
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]
