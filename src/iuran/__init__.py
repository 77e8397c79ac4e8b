"""iuran: JKN contribution billing, arrears and collection for a BPJS Kesehatan branch."""

__version__ = "0.1.0"
