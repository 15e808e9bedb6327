"""Use-cases that touch the database. They flush; the request commits once."""
