"""The HTTP face of iuran, served by `iuran serve`: the SNAP endpoints a bank calls (`snap`), each a thin layer over
the use cases of `iuran.services.snap`."""
