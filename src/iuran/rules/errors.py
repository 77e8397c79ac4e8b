"""Business errors of the rules: each names the input field and the rule it breaks."""


class RuleInputError(ValueError):
    """An input that a rule cannot accept.

    Example:
        >>> str(RuleInputError("kelas", "PBPU class is 1, 2 or 3", "got 4"))
        'kelas: PBPU class is 1, 2 or 3 (got 4)'
    """

    def __init__(self, field: str, rule: str, detail: str = "") -> None:
        self.field = field
        self.rule = rule
        self.detail = detail
        super().__init__(f"{field}: {rule}" + (f" ({detail})" if detail else ""))
