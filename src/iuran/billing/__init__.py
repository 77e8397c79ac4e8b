"""The books: charges, payments, allocations, write-offs, reversals; the monthly cycle."""
