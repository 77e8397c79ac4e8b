"""Banks' statements and their reconciliation with the books: a statement read from MT940 (`mt940`) or ISO 20022
camt.053 (`camt053`) into lines (`lines`), kept once however often it is imported (`store`), and matched against the
payments posted (`matching`)."""
