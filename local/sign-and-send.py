"""Sign VOMO event bodies the way VOMO does and POST them, standard library only.

A second, independent client for the relay: it shares no code with the
receiver, so a mismatch in how either side signs shows up as a 401.

    python3 local/sign-and-send.py [--url URL] [--key KEY] FILE...

Each FILE is sent byte for byte. The key comes from --key or VOMO_SIGNING_KEY.
One line per file: status, file, answer body (tab-separated). The exit status
is 0 only when every answer is 2xx.
"""

import argparse
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:3000/vomo"
TIMEOUT_SECONDS = 3


def sign(body: bytes, key: str) -> str:
    """Lowercase hex HMAC-SHA256 of the body, as PHP hash_hmac gives it."""
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, key: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "vomo-signature": sign(body, key),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, answer.read().decode("utf-8")
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--key", default=os.environ.get("VOMO_SIGNING_KEY"))
    args = parser.parse_args()

    if not args.key:
        parser.error("no signing key: pass --key or set VOMO_SIGNING_KEY")

    all_accepted = True
    for path in args.files:
        with open(path, "rb") as file:
            body = file.read()
        try:
            status, answer = post(args.url, body, args.key)
        except urllib.error.URLError as error:
            print(f"no answer from {args.url}: {error.reason}", file=sys.stderr)
            return 1
        print(f"{status}\t{path}\t{answer}")
        all_accepted = all_accepted and 200 <= status < 300

    return 0 if all_accepted else 1


if __name__ == "__main__":
    sys.exit(main())
