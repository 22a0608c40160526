#!/usr/bin/env python3
"""Where the bytes of a WASM file go, by function, read from its code and name sections.

    python3 scripts/tools/wasm-sizes.py FILE.wasm [--top N] [--group] [--grep TEXT]

Use it on a file that still has its name section: the one cargo writes before wasm-bindgen and
wasm-opt (target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm). Sizes are raw body
bytes before wasm-opt, so read them as shares, not as final sizes.

  default  the N largest functions
  --group  functions grouped by their name with generic arguments removed, largest groups first:
           shows which generic function is monomorphised into many copies (serde visitors,
           tachys render/hydrate, reactive_graph), with the number of copies
  --crate  bytes per leading path segment (crate), roughly
  --grep   only functions whose name contains TEXT (case-sensitive)
"""
import sys
from collections import defaultdict


def leb(data, pos):
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def sections(data):
    if data[:4] != b"\0asm":
        sys.exit("not a WASM file")
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, pos = leb(data, pos + 1)
        yield sid, pos, pos + size
        pos += size


def read(path):
    data = open(path, "rb").read()
    imported = 0
    bodies = []
    names = {}
    for sid, start, end in sections(data):
        if sid == 2:  # imports: imported functions come first in the function index space
            count, p = leb(data, start)
            for _ in range(count):
                for _ in range(2):
                    n, p = leb(data, p)
                    p += n
                kind = data[p]
                p += 1
                if kind == 0:
                    imported += 1
                    _, p = leb(data, p)
                elif kind == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif kind == 3:
                    p += 2
                elif kind == 4:
                    p += 1
                    _, p = leb(data, p)
        elif sid == 10:
            count, p = leb(data, start)
            for _ in range(count):
                size, p = leb(data, p)
                bodies.append(size)
                p += size
        elif sid == 0:
            n, p = leb(data, start)
            if data[p : p + n] != b"name":
                continue
            p += n
            while p < end:
                sub = data[p]
                size, p = leb(data, p + 1)
                if sub == 1:
                    q = p
                    count, q = leb(data, q)
                    for _ in range(count):
                        idx, q = leb(data, q)
                        ln, q = leb(data, q)
                        names[idx] = data[q : q + ln].decode("utf-8", "replace")
                        q += ln
                p += size
    funcs = [(demangle(names.get(imported + i, f"func[{imported + i}]")), s) for i, s in enumerate(bodies)]
    return funcs


LEGACY_ESCAPES = {"$LT$": "<", "$GT$": ">", "$RF$": "&", "$BP$": "*", "$LP$": "(", "$RP$": ")", "$C$": ",",
                  "$u20$": " ", "$u27$": "'", "$u5b$": "[", "$u5d$": "]", "$u7b$": "{", "$u7d$": "}",
                  "$u7e$": "~", "$u3b$": ";", "$u2b$": "+", "$u22$": '"', "..": "::"}


def demangle(name):
    """Rust's legacy mangling (`_ZN…17h<hash>E`) to a readable path, without the hash, so that
    every copy of one generic function gets the same name. v0 names (`_R…`) are left as they are."""
    if not (name.startswith("_ZN") and name.endswith("E")):
        return name
    parts, pos, body = [], 3, name[:-1]
    while pos < len(body) and body[pos].isdigit():
        end = pos
        while body[end].isdigit():
            end += 1
        n = int(body[pos:end])
        parts.append(body[end : end + n])
        pos = end + n
    if parts and len(parts[-1]) == 17 and parts[-1][0] == "h":
        parts.pop()
    text = "::".join(p[1:] if p.startswith("_$") else p for p in parts)
    for k, v in LEGACY_ESCAPES.items():
        text = text.replace(k, v)
    return text


def strip_generics(name):
    out, depth = [], 0
    for ch in name:
        if ch == "<":
            if depth == 0:
                out.append("<…>")
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    text = "".join(out)
    # Hash suffixes of mangled-then-demangled names (`::h0123abcd…`) differ per copy.
    if "::h" in text:
        head, _, tail = text.rpartition("::h")
        if len(tail) == 16 and all(c in "0123456789abcdef" for c in tail):
            text = head
    return text


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    path, args = argv[0], argv[1:]
    top = int(args[args.index("--top") + 1]) if "--top" in args else 40
    grep = args[args.index("--grep") + 1] if "--grep" in args else None
    funcs = read(path)
    if grep:
        funcs = [f for f in funcs if grep in f[0]]
    total = sum(s for _, s in funcs)
    print(f"{len(funcs)} functions, {total:,} code bytes")
    if "--group" in args or "--crate" in args:
        groups = defaultdict(lambda: [0, 0])
        for name, size in funcs:
            key = strip_generics(name)
            if "--crate" in args:
                key = key.lstrip("<").split("::")[0].split(" ")[0]
            groups[key][0] += size
            groups[key][1] += 1
        rows = sorted(groups.items(), key=lambda kv: -kv[1][0])[:top]
        for key, (size, n) in rows:
            print(f"{size:>10,} {100 * size / total:5.1f}% {n:>5}x  {key[:160]}")
    else:
        for name, size in sorted(funcs, key=lambda f: -f[1])[:top]:
            print(f"{size:>10,} {100 * size / total:5.1f}%  {name[:160]}")


if __name__ == "__main__":
    main(sys.argv[1:])
