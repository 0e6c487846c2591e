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
bulk-done = প্রদান হয়েছে { $issued_bn } টি, বাতিল { $refused_bn } টি
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
