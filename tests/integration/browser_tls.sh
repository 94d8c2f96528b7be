#!/bin/sh
# browser_tls.sh: browser.sh over HTTPS (headless Chromium, the test CA's leaf
# key pinned by SPKI): the same pages, media seeks (206) and listing.
BROWSER_TLS=1 exec sh "$(dirname "$0")/browser.sh"
