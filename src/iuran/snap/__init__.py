"""Bank Indonesia's SNAP (Standar Nasional Open API Pembayaran) as a virtual-account biller speaks it: the strings a
partner signs and how they are checked (`signature`), the response codes (`codes`), the virtual account's fields
(`va`), amounts (`money`) and timestamps (`timestamp`). Pure functions over plain values: no database, no web
framework, no clock (callers pass the time).
"""
