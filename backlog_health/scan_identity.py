"""What identifies a stored duplicate scan, importable without the scan's heavy modules
(`metrics --json` reads stored scans and imports no pandas)."""

SCAN_MIN_SCORE = 0.4  # lowest threshold a reader can ask for without a rescan
SCAN_METHOD = "tfidf-summary-chars+words/2"  # bump when similarity.py changes its scores
