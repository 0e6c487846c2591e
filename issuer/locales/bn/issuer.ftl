# The issuer's words in Bangla (first on every page). The same ids in ../en/issuer.ftl.
# The certificate's formal wording is not here: see ../../wording/.


## The printed certificate (templates/print.html)
cert-no = সনদ নং
revoked-band = এই সনদ বাতিল করা হয়েছে
revoked-mark = বাতিল
specimen = নমুনা — উন্নয়ন চাবি
specimen-note = এই সনদ আসল নয়
government = গণপ্রজাতন্ত্রী বাংলাদেশ সরকার
date = তারিখ
christian-era = খ্রিষ্টাব্দ
bangla-era = বঙ্গাব্দ
prepared-by = প্রস্তুতকারী
name-and-designation = নাম ও পদবি
scan-to-verify = যাচাই করতে কিউআর কোডটি স্ক্যান করুন
# The print page's link to the same certificate as a PDF, and why a PDF could not be made.
pdf-link = পিডিএফ নামান
pdf-font = সনদের পিডিএফ তৈরি করা গেল না: অন্তর্নির্মিত ফন্ট { $font } খোলা যায়নি
pdf-write = সনদের পিডিএফ তৈরি করা গেল না: { $message }
key-id = চাবি
signatory = মেয়র / চেয়ারম্যান
qr-marked = চিহ্নিত তথ্য কিউআর কোডে অফিসের ডিজিটাল স্বাক্ষরসহ সংরক্ষিত; যাচাইয়ের ফলাফলের সঙ্গে মিলিয়ে নিন।

## The list of heirs or family members (templates/persons.html)
list-no = ক্রমিক
list-name = নাম
list-relation = সম্পর্ক
list-age = বয়স

## Log in and the home page (templates/login.html, home.html)
log-in = লগ ইন
account = অ্যাকাউন্ট
password = পাসওয়ার্ড
sonod = সনদ
issuer = সনদ
certificate-serial = সনদ নং
print = মুদ্রণ
api-tokens = API টোকেন
log-out = লগ আউট

## Facts and values in Rust (paper/print.rs, paper/wording.rs)
fact-issued = প্রদানের তারিখ
fact-expires = মেয়াদ শেষ
date-cell = { $date } খ্রি. ({ $bs } বঙ্গাব্দ)
see-list = উপরের তালিকা দেখুন ({ $n } জন)
person-age = { $age } বছর

## Web errors (server/web.rs)
no-certificate = এই ক্রমিক নম্বরের কোনো সনদ নেই

## API tokens (templates/tokens.html, layout.html, server/tokens.rs)
tokens-intro = প্রতিটি টোকেন একটি অ্যাকাউন্টের হয়ে কাজ করে, মেয়াদ শেষে বা বাতিল করলে আর চলে না। নতুন টোকেন:
no-tokens = কোনো টোকেন নেই
col-name = নাম
col-account = অ্যাকাউন্ট
col-created = তৈরি
col-expires = মেয়াদ
col-last-used = শেষ ব্যবহার
col-state = অবস্থা
col-action = কাজ
revoke = বাতিল
dhaka-times = সময় ঢাকার (UTC+6)
development-band = উন্নয়ন সংস্করণ — আসল সনদের জন্য নয়
never = কখনো না
token-revoked-notice = টোকেন “{ $label }” ({ $id }) বাতিল হয়েছে

## The command line (src/cli/): each message is written "Bangla / English"
issued-not-printed = সনদ প্রদান হয়েছে (ক্রমিক { $serial })
line = লাইন
bulk-done = প্রদান হয়েছে { $issued_bn }টি, প্রত্যাখ্যাত { $refused_bn }টি · সূচি: { $index }
key-passphrase = চাবির পাসফ্রেজ
host-and-bare = --verifier-host এবং --bare একসাথে নয়
host-missing = যাচাই-হোস্ট দিন
store-corrupt = ডেটা-ভান্ডার { $path } নষ্ট, খোলা যায়নি; শেষ ব্যাকআপ থেকে ফেরান (sonod-issuer restore)
disk-full = ডিস্কে জায়গা নেই, জায়গা খালি করে আবার চালু করুন
not-writable = এতে লেখা যায় না (শুধু-পড়া বা অনুমতি নেই)
store-unopened = ডেটা-ভান্ডার { $path } খোলা যায়নি
store-locked = ডেটা-ভান্ডার { $path } খোলা যায়নি (সেবা চালু থাকলে বন্ধ করুন)
index-exists = { $path } আগের একটি কাজের সূচি; অন্য --out দিন বা ফাইলটি সরান
cannot-open-file = ফাইল খোলা যায়নি
expiry-days = দিনের সংখ্যা লিখুন, যেমন 90d
expiry-form = 90d বা 2026-12-31 এর মতো লিখুন
token-created = টোকেন { $id } ({ $label }) · অ্যাকাউন্ট { $user } · মেয়াদ { $exp } পর্যন্ত
token-keep = টোকেনটি এখনই সংরক্ষণ করুন, আর দেখানো হবে না
token-revoked = টোকেন বাতিল
token-was-revoked = টোকেনটি আগেই বাতিল
account-created = অ্যাকাউন্ট তৈরি হয়েছে
password-changed = পাসওয়ার্ড বদলানো হয়েছে
account-disabled = অ্যাকাউন্ট বন্ধ
reseal-same-key = নতুন চাবিটিই বেহাত চাবি
resealed = { $n_bn } টি সনদ নতুন চাবি { $key } দিয়ে আবার সিল করা হয়েছে
exists-already = { $path } আগে থেকেই আছে
backup = ব্যাকআপ
restored = ফেরানো হয়েছে

## Error messages (the Display of the error types)
serve-key = অফিসের চাবি পড়া যায়নি
serve-other-office = চাবি { $key_id } অফিস { $key_office } এর, এই সেবা অফিস { $office } এর
app-unauthorized = প্রবেশাধিকার প্রয়োজন
app-forbidden = এই কাজের অনুমতি নেই
app-csrf = ফর্মটি এই সেশনের নয়; পাতাটি আবার খুলে চেষ্টা করুন
app-too-large = অনুরোধ অনেক বড়
uploads-busy = এখন অনেক আবেদন একসাথে জমা হচ্ছে; কয়েক সেকেন্ড পরে আবার জমা দিন
issue-io = ফাইল লেখা যায়নি
office-key-root = রুট পাবলিক চাবি পড়া যায়নি
office-key-trust-list = বিশ্বাস-তালিকা গ্রহণযোগ্য নয়
office-key-not-listed = অফিসের চাবি { $n0 } বিশ্বাস-তালিকায় নেই
signing-refused-key-compromised = অফিসের চাবি { $n0 } বিশ্বাস-তালিকায় আপসকৃত; এটি দিয়ে সনদ দেওয়া যাবে না
signing-refused-other-office = চাবি { $key_id } অফিস { $key_office } এর, রেকর্ড অফিস { $record_office } এর
qr-image-too-long = কিউআর কোডে ধরছে না
qr-image-png = PNG তৈরি করা যায়নি
wording-missing = শব্দাবলি নেই
wording-read = শব্দাবলি পড়া যায়নি
wording-syntax = শব্দাবলির গঠন ভুল
wording-unknown-field = অজানা ঘর
wording-render = শব্দাবলি তৈরি করা যায়নি
ledger-not-found = এই ক্রমিক নম্বরের কোনো সনদ নেই
ledger-idempotency-mismatch = একই Idempotency-Key ভিন্ন অনুরোধে ব্যবহৃত
backup-io = ব্যাকআপ ফাইলে পড়া/লেখা যায়নি
backup-invalid = ব্যাকআপ ফাইল নষ্ট বা অসম্পূর্ণ
backup-not-empty = { $n0 } খালি নয়; পুরনো তথ্য মুছে যাবে বলে ফেরানো হলো না
store-sled = ডেটা-ভান্ডারে ত্রুটি
store-io = ডেটা-ভান্ডার ডিস্কে লেখা যায়নি
store-wrong-office = এই ডেটা-ভান্ডার অফিস { $store } এর, রেকর্ড অফিস { $record } এর
store-corrupt-data = সংরক্ষিত তথ্য নষ্ট
store-serials-exhausted = ক্রমিক নম্বর শেষ
commit-failed = ডিস্কে স্থায়ীভাবে লেখা যায়নি
account-unknown-role = অজানা ভূমিকা { $n0_dbg } (admin, chairman, councillor, operator)
account-bad-name = নাম ৩–৩২ অক্ষরের a–z, 0–9, . _ - হতে হবে
account-exists = এই নামে অ্যাকাউন্ট আছে
account-no-such-user = অ্যাকাউন্ট নেই
account-weak-password = পাসওয়ার্ড অন্তত { $min_password_chars } অক্ষরের হতে হবে
account-hash = পাসওয়ার্ড হ্যাশ করা যায়নি
account-no-such-token = এই আইডির কোনো টোকেন নেই
account-bad-expiry = মেয়াদ এখনকার পরে এবং { $max_token_days } দিনের মধ্যে হতে হবে
token-refusal-unknown = টোকেনটি চেনা যায়নি
token-refusal-expired = টোকেনের মেয়াদ শেষ; প্রশাসকের কাছে নতুন টোকেন নিন
token-refusal-revoked = টোকেনটি বাতিল করা হয়েছে
token-refusal-disabled = অ্যাকাউন্টটি বন্ধ
sign-in-wrong = নাম বা পাসওয়ার্ড ভুল
sign-in-throttled = অনেকবার চেষ্টা হয়েছে; { $retry_after } সেকেন্ড পরে আবার চেষ্টা করুন
sign-in-busy = সেবা এখন ব্যস্ত; { $retry_after } সেকেন্ড পরে আবার চেষ্টা করুন
sign-in-internal = অভ্যন্তরীণ ত্রুটি
signing-refused-not-today = প্রদানের তারিখ আজ (ঢাকা), { $today }, হতে হবে; { $issued } নয়
signing-refused-expiry-not-after-issue = মেয়াদ শেষের তারিখ ({ $expires }) প্রদানের তারিখের ({ $issued }) পরে হতে হবে
signing-refused-key-not-yet-valid = অফিসের চাবি { $key_id } { $not_before } থেকে স্বাক্ষর করবে, { $issued } তারিখে নয়
signing-refused-key-retired = অফিসের চাবি { $key_id } অবসরপ্রাপ্ত, শেষ স্বাক্ষরের দিন { $retired_on }; নতুন চাবি দিন
signing-refused-key-expired = অফিসের চাবির { $key_id } মেয়াদ { $not_after } তারিখে শেষ; নতুন চাবি দিন
api-invalid-json = JSON পড়া যায়নি
api-other-office = এই অফিসের কোড { $office }
api-no-certificate = এই ক্রমিক নম্বরের কোনো সনদ নেই
internal-error = অভ্যন্তরীণ ত্রুটি
cli-issued = সনদ প্রদান হয়েছে
cli-serial = ক্রমিক
cli-issue = একটি সনদ প্রদান
cli-issue-long = রেকর্ডের তারিখ আজ (ঢাকা) হয় ("issued" না থাকলে আজ; অন্য তারিখ ফেরত), মেয়াদ তার পরে শেষ হতে হবে, এবং বিশ্বাস-তালিকা চাবিটিকে আজ স্বাক্ষর করতে দেবে।
cli-bulk = একসাথে অনেক সনদ (JSON Lines বা CSV ফাইল থেকে), অগ্রগতি দেখিয়ে
cli-serve = সেবা চালু
cli-user = কর্মকর্তাদের অ্যাকাউন্ট
cli-reseal = বেহাত চাবির সনদ নতুন চাবিতে
cli-backup = ব্যাকআপ
cli-restore = ব্যাকআপ থেকে ফেরানো
cli-stats = পরিসংখ্যান
cli-wording = অফিসের নিজের সনদের ভাষা
cli-user-add = নতুন অ্যাকাউন্ট
cli-token = API টোকেন
cli-user-passwd = নতুন পাসওয়ার্ড
cli-user-disable = অ্যাকাউন্ট বন্ধ
cli-user-list = অ্যাকাউন্টের তালিকা
cli-token-create = নতুন টোকেন
cli-token-list = টোকেনের তালিকা
cli-token-revoke = টোকেন বাতিল

cli-about = সনদ প্রদান
cli-error = ত্রুটি
cli-dev-office-name = অফিস { $code }
cli-dev-account = উন্নয়ন অ্যাকাউন্ট

## Roles and API token states (by their snake_case names)
role-admin = প্রশাসক
role-chairman = মেয়র / চেয়ারম্যান
role-councillor = কাউন্সিলর / সদস্য
role-operator = অপারেটর
token-state-active = চালু
token-state-expired = মেয়াদোত্তীর্ণ
token-state-revoked = বাতিল
# SMS to citizens (Bangla only; each at most 134 UTF-16 units, see src/sms)
sms-issued = আপনার { $type } প্রদান করা হয়েছে। সনদ নং { $number }। যাচাই: { $link }
sms-issued-no-link = আপনার { $type } প্রদান করা হয়েছে। সনদ নং { $number }।
sms-revoked = আপনার { $type } (সনদ নং { $number }) বাতিল করা হয়েছে। কারণ: { $reason }।
sms-gateway-read = SMS গেটওয়ের ফাইল { $path } পড়া গেল না
sms-gateway-invalid = SMS গেটওয়ের ফাইল { $path } সঠিক নয়: { $error }
sms-gateway-no-key = SMS গেটওয়ের API কী-এর পরিবেশ চলক { $var } দেওয়া নেই
sms-kind-issued = প্রদান
sms-kind-revoked = বাতিল
dev-sms-title = উন্নয়নের SMS
dev-sms-intro = এই সেবা উন্নয়নের জন্য চলছে: SMS কোনো ফোনে যায়নি, নাগরিক যা পেতেন তা এখানে দেখানো হলো (নতুনটি আগে)।
dev-sms-none = এখনো কোনো SMS নেই।
dev-sms-parts = { $parts } অংশ, { $units } অক্ষর-একক
dev-sms-off = এই পাতা কেবল উন্নয়নের সেবায় আছে

## Office settings
settings-bad-text = ক্ষেত্র { $field }: লেখা দরকার, অনধিক ২০০ অক্ষর
settings-bad-wards = ওয়ার্ড: অন্তত একটি, প্রতিটি ১ বা তার বেশি, কোনোটি দুবার নয়
settings-too-many-signatories = স্বাক্ষরকারী অনধিক ২০ জন
settings-unknown-type = অজানা সনদের ধরন: { $type }
settings-bad-type = { $type }: অনুমোদন ১ বা ২টি, ফি অনধিক ১,০০,০০০ টাকা
settings-bad-limits = সময়সীমা: নিষ্ক্রিয়তা ১ মিনিট–২৪ ঘণ্টা, ঘণ্টায় অনুমোদন ১–১০,০০০, অফিস সময় শুরু শেষের আগে
