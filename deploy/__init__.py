"""The deployment: the proxy configuration and a whole set-up on one machine (localcluster)."""
