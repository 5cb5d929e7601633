#!/usr/bin/env python3
"""A scripted browser for scripts/demo.sh: opens the URL it is given (the last argument),
the sandbox's login dialog, and follows its redirect back to fbvault's loopback listener,
as a person clicking "Continue" in Facebook's dialog would. Standard library only."""
import sys
import urllib.request

with urllib.request.urlopen(sys.argv[-1], timeout=30) as page:
    page.read()
