"""The `iuran` command line: JSON on stdout for scripts, one clear line on stderr for bad input."""
