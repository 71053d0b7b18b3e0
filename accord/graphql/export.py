"""Write the served schema's SDL to `accord/graphql/schema.graphql`.

python -m accord.graphql.export           # write it
python -m accord.graphql.export --check   # exit 1 if the file differs from the code
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SDL_PATH = Path(__file__).with_name("schema.graphql")


def sdl() -> str:
    """The SDL of the schema the server serves, as the file holds it."""
    from accord.graphql.schema import schema

    return schema.as_str().rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the file is current")
    parser.add_argument("--output", type=Path, default=SDL_PATH, help="where to write the SDL")
    options = parser.parse_args(argv)
    current = sdl()
    if options.check:
        stored = options.output.read_text() if options.output.exists() else ""
        if stored != current:
            print(f"{options.output} is out of date: run python -m accord.graphql.export")
            return 1
        print(f"{options.output} is current")
        return 0
    options.output.write_text(current)
    print(f"wrote {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
