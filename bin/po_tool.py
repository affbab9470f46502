#!/usr/bin/env python3
"""Small .po helper (stdlib only).

  po_tool.py merge POT PO   rewrite PO from POT's entries, keeping PO's translations
  po_tool.py check PO       list untranslated entries; exit 1 when there are any
"""
import re
import sys

STR_RE = r'((?:".*"\n?)+)'


def _join(raw):
    return ''.join(re.findall(r'"(.*)"', raw))


def blocks(text):
    return [b for b in text.strip('\n').split('\n\n') if b.strip()]


def parse(block):
    """(msgid, msgstr) of a block, or None for a block without msgid."""
    mid = re.search(r'^msgid ' + STR_RE, block, re.M)
    mstr = re.search(r'^msgstr ' + STR_RE, block, re.M)
    if not (mid and mstr):
        return None
    return _join(mid.group(1)), _join(mstr.group(1))


def translations(path):
    try:
        text = open(path, encoding='utf-8').read()
    except FileNotFoundError:
        return {}
    pairs = (parse(b) for b in blocks(text))
    return {p[0]: p[1] for p in pairs if p and p[0] and p[1]}


def merge(pot_path, po_path):
    known = translations(po_path)
    out = []
    for block in blocks(open(pot_path, encoding='utf-8').read()):
        pair = parse(block)
        if pair and pair[0] and pair[0] in known:
            head = block[:re.search(r'^msgstr ', block, re.M).start()]
            block = head + 'msgstr "%s"' % known[pair[0]]
        out.append(block)
    open(po_path, 'w', encoding='utf-8').write('\n\n'.join(out) + '\n')


def check(po_path):
    text = open(po_path, encoding='utf-8').read()
    missing = [p[0] for p in map(parse, blocks(text)) if p and p[0] and not p[1]]
    for mid in missing:
        print('untranslated: %s' % mid)
    print('%d untranslated entries in %s' % (len(missing), po_path))
    return 1 if missing else 0


if __name__ == '__main__':
    if sys.argv[1] == 'merge':
        merge(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'check':
        sys.exit(check(sys.argv[2]))
