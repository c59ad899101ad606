"""What the pack verifier says, in English and in Thai: one line per problem it can find.

The verifier is a command run by an auditor away from the portal, so it has no Flask-Babel
catalogue to lean on; the two languages sit side by side here, and `language()` picks one from
the locale as any command-line program does (LC_ALL, then LC_MESSAGES, then LANG). The Thai
lines leave out the reader's own (English) reason; the English ones quote it.
"""

from __future__ import annotations

from collections.abc import Mapping

VERDICTS = {
    "intact": {"en": "intact", "th": "ครบถ้วน ไม่ถูกแก้ไข"},
    "broken": {"en": "NOT intact: {problem}", "th": "ไม่ผ่านการตรวจ: {problem}"},
}
PROBLEMS = {
    "control-character": {
        "en": "its name holds a NUL or control character",
        "th": "ชื่อไฟล์มีอักขระ NUL หรืออักขระควบคุม",
    },
    "climbing-path": {
        "en": "an absolute path, a backslash or a '.' or '..' step",
        "th": "เป็นเส้นทางแบบเต็ม มีเครื่องหมาย \\ หรือมีขั้น '.' หรือ '..'",
    },
    "not-a-file": {
        "en": "not a plain file (a link, a folder or a device)",
        "th": "ไม่ใช่ไฟล์ธรรมดา (เป็นลิงก์ โฟลเดอร์ หรืออุปกรณ์)",
    },
    "twice": {
        "en": "in the pack twice; readers differ on which copy they take",
        "th": "มีอยู่ในชุดสองครั้ง โปรแกรมแต่ละตัวอาจอ่านคนละฉบับ",
    },
    "twin": {
        "en": "in the pack beside {first} (the same but for case or form); "
        "readers differ on which copy they take",
        "th": "มีอยู่คู่กับ {first} (ชื่อเดียวกันต่างกันเพียงตัวพิมพ์หรือรูปแบบอักขระ) โปรแกรมแต่ละตัวอาจอ่านคนละฉบับ",
    },
    "no-local-header": {
        "en": "no local header where the directory puts it",
        "th": "ไม่พบส่วนหัวของไฟล์ในตำแหน่งที่สารบัญของ zip ระบุ",
    },
    "sizes-after-data": {
        "en": "its sizes follow its data, not in its header",
        "th": "ขนาดไฟล์อยู่ท้ายข้อมูล ไม่อยู่ในส่วนหัว",
    },
    "local-header-differs": {
        "en": "its local header differs from the zip's directory",
        "th": "ส่วนหัวของไฟล์ไม่ตรงกับสารบัญของ zip",
    },
    "after-end": {
        "en": "bytes after the zip's end record (a comment or appended data)",
        "th": "มีข้อมูลต่อท้ายระเบียนปิดของ zip (หมายเหตุหรือข้อมูลที่ต่อเพิ่ม)",
    },
    "before-end": {
        "en": "bytes between the zip's directory and its end record",
        "th": "มีข้อมูลแทรกระหว่างสารบัญของ zip กับระเบียนปิด",
    },
    "around-directory": {
        "en": "bytes before the first entry or around the zip's directory",
        "th": "มีข้อมูลก่อนไฟล์แรกหรือรอบสารบัญของ zip",
    },
    "before-first": {
        "en": "bytes before the first entry that belong to no entry",
        "th": "มีข้อมูลที่ไม่ใช่ของไฟล์ใดอยู่ก่อนไฟล์แรก",
    },
    "between-entries": {
        "en": "bytes between entries that belong to no entry",
        "th": "มีข้อมูลที่ไม่ใช่ของไฟล์ใดแทรกระหว่างไฟล์",
    },
    "before-directory": {
        "en": "bytes between the last entry and the zip's directory",
        "th": "มีข้อมูลแทรกระหว่างไฟล์สุดท้ายกับสารบัญของ zip",
    },
    "unknown-key": {
        "en": "signed with key {kid}, which the key set does not hold",
        "th": "ลงลายมือชื่อด้วยกุญแจ {kid} ซึ่งไม่มีในชุดกุญแจ",
    },
    "bad-signature": {
        "en": "the signature does not verify ({reason})",
        "th": "ลายมือชื่อดิจิทัลไม่ถูกต้อง",
    },
    "not-signed": {
        "en": "it is not the manifest that was signed",
        "th": "ไม่ใช่บัญชีรายการฉบับที่ลงลายมือชื่อไว้",
    },
    "missing": {
        "en": "listed in the manifest but missing from the pack",
        "th": "บัญชีรายการระบุไว้ แต่ไม่มีในชุดหลักฐาน",
    },
    "unreadable": {
        "en": "cannot be read back ({reason})",
        "th": "อ่านไฟล์ไม่ได้",
    },
    "changed": {
        "en": "its bytes do not match the SHA-256 in the manifest",
        "th": "ไฟล์ถูกแก้ไข: SHA-256 ไม่ตรงกับบัญชีรายการ",
    },
    "extra": {
        "en": "in the pack but not in the manifest",
        "th": "มีในชุดหลักฐาน แต่บัญชีรายการไม่ได้ระบุ",
    },
    "audit-hash": {
        "en": "audit entry {seq}: its hash does not match its content",
        "th": "ร่องรอยการตรวจสอบรายการที่ {seq}: ค่าแฮชไม่ตรงกับเนื้อหา",
    },
    "audit-link": {
        "en": "audit entry {seq}: does not link to entry {previous}",
        "th": "ร่องรอยการตรวจสอบรายการที่ {seq}: ไม่เชื่อมกับรายการที่ {previous}",
    },
    "too-large": {
        "en": "more entries or bytes than a pack sent for checking may hold",
        "th": "ใหญ่เกินกว่าจะตรวจที่นี่ได้: มีจำนวนไฟล์หรือขนาดเกินที่กำหนดสำหรับชุดหลักฐานที่ส่งมาตรวจ",
    },
    "not-a-pack": {
        "en": "not a readable evidence pack ({reason})",
        "th": "ไม่ใช่ชุดหลักฐานที่อ่านได้",
    },
}


def language(environment: Mapping[str, str]) -> str:
    """Thai when the locale that names messages starts with "th", English otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environment.get(name):
            return "th" if value.lower().startswith("th") else "en"
    return "en"
