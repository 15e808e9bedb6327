"""Privacy rules every feature shares: plain values, no framework (rules.py modules import this)."""

# The smallest group of residents the app shows or names: the Impact figures hide smaller groups,
# and a wijk typed by fewer residents is never offered to others (it may be anyone's free text).
MIN_GROUP = 10
