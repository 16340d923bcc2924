"""``python -m cds.hooks.local_key``: the name README gives the local-trial key tool (cds.hooks.security.local_key)."""

from __future__ import annotations

from cds.hooks.security.local_key import main

if __name__ == "__main__":
    raise SystemExit(main())
