"""The JKN rules: pure functions over plain data and the versioned rule data they read.

Nothing here reads the clock, the database, the web or the command line.
"""
