"""Write the settings table into README.md between its settings markers."""

from __future__ import annotations

import io
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        settings_table.main()
    text = README.read_text(encoding="utf-8")
    text = re.sub(
        r"(<!-- settings:begin -->\n).*?(<!-- settings:end -->)",
        lambda m: m.group(1) + buffer.getvalue() + m.group(2),
        text,
        flags=re.DOTALL,
    )
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
