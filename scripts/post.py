#!/usr/bin/env python3
"""Post a message to a Facebook page with the token fbvault injects.

    fbvault run -p acme --page "Cute Kitten Page" -- python3 scripts/post.py "Hello"

Reads FB_PAGE_ID, FB_PAGE_ACCESS_TOKEN, FB_PAGE_APPSECRET_PROOF and FB_GRAPH_API_VERSION
(set by `fbvault run --page`), and FBVAULT_GRAPH_URL when set (the sandbox), else
https://graph.facebook.com. Only the standard library; never prints the token.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def call(method, path, params):
    base = os.environ.get("FBVAULT_GRAPH_URL", "https://graph.facebook.com").rstrip("/")
    version = os.environ.get("FB_GRAPH_API_VERSION", "v27.0")
    data = urllib.parse.urlencode(params).encode()
    url = f"{base}/{version}/{path}"
    if method == "GET":
        url, data = f"{url}?{data.decode()}", None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        error = json.load(e).get("error", {})
        sys.exit(f"post.py: Facebook said: {error.get('message')} (code {error.get('code')})")


def main():
    try:
        page = os.environ["FB_PAGE_ID"]
        auth = {
            "access_token": os.environ["FB_PAGE_ACCESS_TOKEN"],
            "appsecret_proof": os.environ["FB_PAGE_APPSECRET_PROOF"],
        }
    except KeyError as e:
        sys.exit(f"post.py: {e.args[0]} is not set: run me with `fbvault run --page PAGE -- ...`")
    message = " ".join(sys.argv[1:]) or "Hello from fbvault"
    posted = call("POST", f"{page}/feed", {"message": message, **auth})
    print(f"posted {posted['id']} to page {page}")
    latest = call("GET", f"{page}/feed", auth)["data"][0]
    print(f"the page's newest post: {latest['message']!r}")


if __name__ == "__main__":
    main()
