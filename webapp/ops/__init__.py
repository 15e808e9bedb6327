"""Running Veerkracht for real: backups and restores, safe upgrades, metrics."""
