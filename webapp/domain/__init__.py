"""Plain Python domain logic: no Flask, no database."""
