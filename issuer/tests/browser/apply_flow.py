"""Applying as people do, in headless Chromium (driven by issuer/tests/apply.rs against a live
service): fill in and submit the forms, read the answers, take screenshots at 390 and 1280 px.

    python3 apply_flow.py apply URL OUTDIR      # citizen (errors, success, repeat, status), operator
    python3 apply_flow.py edit URL OUTDIR A-1   # correct an application sent back

Exits non-zero, saying why, when a page is not what a person should see. Prints facts for the
Rust test as JSON lines on stdout.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from cdp import Chromium, evaluate, load, page, resize, screenshot, submit  # noqa: E402

MOBILE = "০১৭১১২২৩৩৪৪"

WARISH = {
    "nid": "১৯৯০১২৩৪৫৬",
    "name": "রহিম উদ্দিন",
    "name_en": "Rahim Uddin",
    "deceased": "আব্দুল করিম",
    "father": "করিম উদ্দিন",
    "death_date": "০২-০১-২০২৫",
    "heirs.0.name": "রহিম উদ্দিন",
    "heirs.0.relation": "পুত্র",
    "heirs.0.age": "৪০",
    "heirs.1.name": "করিমা খাতুন",
    "heirs.1.relation": "কন্যা",
    "purpose": "জমির নামজারি",
    "village": "বাজার পাড়া",
    "ward": "3",
    "post_office": "সাভার",
    "upazila": "সাভার",
    "district": "ঢাকা",
    "mobile": MOBILE,
}


def fill(c, s, values):
    evaluate(c, s, "(() => { const v = %s; for (const [k, x] of Object.entries(v)) {"
                   " const el = document.querySelector(`[name=\"${k}\"]`);"
                   " if (!el) throw new Error('no field ' + k); el.value = x; } })()"
             % json.dumps(values, ensure_ascii=False))


def html(c, s):
    return evaluate(c, s, "document.documentElement.outerHTML")


def expect(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")


class Shots:
    def __init__(self, c, s, out):
        self.c, self.s, self.out = c, s, out
        os.makedirs(out, exist_ok=True)

    def take(self, name):
        for w in (390, 1280):
            resize(self.c, self.s, w)
            screenshot(self.c, self.s, os.path.join(self.out, f"{name}-{w}.png"))
        resize(self.c, self.s, 390)


def apply_phase(c, s, base, shots):
    load(c, s, base + "/apply")
    shots.take("apply-list")
    load(c, s, base + "/apply/warish")
    shots.take("apply-form")
    # Mistakes: a heir without a relation, a short mobile number.
    bad = dict(WARISH, **{"heirs.1.relation": "", "mobile": "০১৭১১"})
    fill(c, s, bad)
    submit(c, s)
    page_html = html(c, s)
    expect('id="e-mobile"' in page_html, "the mobile number's error next to it")
    expect("করিমা খাতুন" in page_html and "আব্দুল করিম" in page_html, "typed values kept")
    shots.take("apply-form-errors")
    fill(c, s, WARISH)
    submit(c, s)
    page_html = html(c, s)
    tracking = evaluate(c, s, "document.querySelector('.big .en').textContent.replace(/[()]/g, '')")
    expect(tracking == "A-1", f"tracking number A-1, got {tracking!r}")
    expect("A-১" in page_html, "the tracking number in Bangla digits")
    shots.take("apply-done")
    print(json.dumps({"tracking": tracking}))
    # The same person and type again: pointed to the open one.
    load(c, s, base + "/apply/warish")
    fill(c, s, WARISH)
    submit(c, s)
    expect("A-1" in html(c, s), "the repeat points to A-1")
    shots.take("apply-duplicate")
    # The status, with the wrong and the right mobile number.
    load(c, s, base + "/status")
    shots.take("status-form")
    fill(c, s, {"tracking": "A-১", "mobile": "01811111111"})
    submit(c, s)
    expect("role=\"alert\"" in html(c, s), "a wrong mobile refused")
    shots.take("status-refused")
    fill(c, s, {"tracking": "A-১", "mobile": MOBILE})
    submit(c, s)
    page_html = html(c, s)
    expect("state submitted" in page_html and "1990123456" not in page_html, "status, no NID")
    shots.take("status-result")
    # A type the office does not offer (the test turned landless off).
    load(c, s, base + "/apply/landless")
    shots.take("apply-not-offered")
    # The operator: sign in, apply from the login with the centre's name.
    load(c, s, base + "/login")
    fill(c, s, {"name": "karim", "password": "operator password"})
    submit(c, s, "document.querySelector('form').requestSubmit()")
    load(c, s, base + "/apply/citizenship")
    page_html = html(c, s)
    expect('name="centre"' in page_html, "the operator's form has the centre")
    shots.take("apply-operator-form")
    fill(c, s, {
        "centre": "সাভার পৌর ডিজিটাল সেন্টার", "nid": "19851234567", "brn": "",
        "name": "সালমা খাতুন", "name_en": "Salma Khatun", "father": "আব্দুল হক",
        "mother": "জরিনা বেগম", "village": "উত্তর পাড়া", "ward": "2", "post_office": "সাভার",
        "upazila": "সাভার", "district": "ঢাকা", "mobile": "01911223344",
    })
    submit(c, s)
    page_html = html(c, s)
    expect("e-nid" in page_html, "an 11-digit NID refused")
    fill(c, s, {"nid": "1985123456789"})
    submit(c, s)
    page_html = html(c, s)
    expect("সাভার পৌর ডিজিটাল সেন্টার" in page_html and "A-2" in page_html, "operator's application")
    shots.take("apply-operator-done")


def edit_phase(c, s, base, shots, tracking):
    load(c, s, base + f"/apply/{tracking}/edit")
    shots.take("apply-edit-unlock")
    fill(c, s, {"proof": MOBILE})
    submit(c, s)
    page_html = html(c, s)
    expect("ওয়ারিশের বয়স দিন" in page_html, "the official's note on the form")
    expect("করিমা খাতুন" in page_html, "the form filled in")
    shots.take("apply-edit-form")
    fill(c, s, {"heirs.1.age": "৩৫"})
    submit(c, s)
    expect("A-1" in html(c, s), "resubmitted")
    shots.take("apply-resubmitted")
    load(c, s, base + "/status")
    fill(c, s, {"tracking": tracking, "mobile": MOBILE})
    submit(c, s)
    shots.take("status-history")


def main():
    phase, base, out = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
    c = Chromium()
    try:
        _, s = page(c, 390)
        shots = Shots(c, s, out)
        if phase == "apply":
            apply_phase(c, s, base, shots)
        else:
            edit_phase(c, s, base, shots, sys.argv[4])
    finally:
        c.close()


if __name__ == "__main__":
    main()
