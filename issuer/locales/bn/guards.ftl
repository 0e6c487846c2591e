## Guards against misused logins (second factor, token scopes, HTTPS) and the officials' pages

## API token scopes
token-scope-beyond-role = টোকেনটি "{ $scope }" কাজের জন্য বানানো যায় না: অ্যাকাউন্টের ভূমিকা ({ $role }) তা দেয় না
token-scope-unknown = { $n0_dbg } কোনো স্কোপ নয় (issue, revoke, print, audit, operate, accounts)
app-out-of-scope = এই টোকেন "{ $scope }" কাজের জন্য বানানো হয়নি
token-scopes = যে কাজে চলে
token-scopes-all = ভূমিকার সব কাজ (স্কোপের আগের টোকেন)

## Second factor
sign-in-wrong-code = কোডটি ভুল বা আগেই ব্যবহৃত; অ্যাপের নতুন কোড দিন
code-title = দ্বিতীয় ধাপ: কোড
code-label = অথেনটিকেটর অ্যাপের ৬ অঙ্কের কোড, বা একটি রিকভারি কোড
code-submit = প্রবেশ
code-recovery-hint = ফোন হারালে একটি রিকভারি কোড দিন (প্রতিটি একবারই চলে), তারপর অ্যাডমিনকে দ্বিতীয় ধাপ নতুন করে দিতে বলুন।
enrol-title = দ্বিতীয় ধাপ চালু করুন
enrol-why = চুরি যাওয়া বা ভাগ করা লগইন দিয়ে জাল সনদ ঠেকাতে প্রত্যেক কর্মকর্তাকে পাসওয়ার্ডের পর ফোনের একটি কোডও দিতে হয়। চালু না করা পর্যন্ত অন্য কোনো পাতা খুলবে না।
enrol-step-app = ফোনে একটি অথেনটিকেটর অ্যাপ খুলুন (যেমন Google Authenticator, Microsoft Authenticator, FreeOTP, Aegis)।
enrol-step-scan = নিচের QR কোডটি স্ক্যান করুন, অথবা গোপন কোডটি হাতে লিখে দিন।
enrol-secret = গোপন কোড (কাউকে দেখাবেন না)
enrol-step-code = অ্যাপে দেখানো ৬ অঙ্কের কোড
enrol-submit = চালু করুন
recovery-title = রিকভারি কোড
recovery-once = এই দশটি কোড শুধু এখনই দেখানো হচ্ছে। লিখে বা ছাপিয়ে নিরাপদ জায়গায় রাখুন: ফোন হারালে প্রতিটি একবার প্রবেশের কাজে লাগবে।
recovery-continue = রেখেছি, এগিয়ে যান
recovery-used-notice = একটি রিকভারি কোড ব্যবহার হলো; আর { $left }টি বাকি। ফোন হারিয়ে থাকলে অ্যাডমিনকে দ্বিতীয় ধাপ নতুন করে দিতে বলুন।
accounts-title = অ্যাকাউন্ট
accounts-intro = প্রত্যেক কর্মকর্তার অ্যাকাউন্ট, ভূমিকা ও দ্বিতীয় ধাপ। ফোন হারালে দ্বিতীয় ধাপ নতুন করে দিন: তাঁর সব সেশন বন্ধ হবে, পরের প্রবেশে আবার চালু করতে হবে।
col-role = ভূমিকা
col-second-factor = দ্বিতীয় ধাপ
account-state-disabled = নিষ্ক্রিয়
second-factor-on = চালু
second-factor-off = এখনো চালু হয়নি
recovery-left = বাকি রিকভারি কোড
second-factor-reset = দ্বিতীয় ধাপ নতুন করে দিন
second-factor-reset-notice = { $name }-এর দ্বিতীয় ধাপ মুছে ফেলা হলো; তাঁর সব সেশন বন্ধ। পরের প্রবেশে তিনি আবার চালু করবেন।

## HTTPS
https-required = এই পাতা সাধারণ HTTP-তে খোলা হয় না: পাসওয়ার্ড ও সেশন নেটওয়ার্কে খোলাখুলি যেত
https-help = অফিসের ঠিকানাটি https:// দিয়ে খুলুন। সার্ভিসটি একটি রিভার্স প্রক্সির (যেমন Caddy বা nginx, অফিসের সার্টিফিকেট সহ) পেছনে --trust-proxy-https দিয়ে চালাতে হয়; শুধু এই কম্পিউটারে (localhost) সাধারণ HTTP চলে।

## Error pages
error-title-bad-request = অনুরোধটি ঠিক নয়
error-title-unauthorized = প্রবেশ করা নেই
error-title-forbidden = অনুমতি নেই
error-title-not-found = পাতাটি নেই
error-title-method = এভাবে এই পাতা চাওয়া যায় না
error-title-timeout = সময় শেষ
error-title-conflict = আগের অবস্থার সঙ্গে মেলে না
error-title-too-large = খুব বড়
error-title-too-many = খুব বেশি চেষ্টা
error-title-unavailable = এখন করা যাচ্ছে না
error-title-internal = সার্ভিসে সমস্যা
error-title-other = করা গেল না

## Navigation and the dashboard
nav-label = কর্মকর্তার পাতা
nav-home = শুরুর পাতা
nav-apply = সনদের জন্য আবেদন
nav-bulk = একসঙ্গে অনেক সনদ
dashboard-title = আজকের কাজ
dashboard-bulk = স্প্রেডশিট থেকে (CSV) বা JSON Lines ফাইল থেকে একসঙ্গে অনেক সনদ দিন।
dashboard-accounts = কর্মকর্তাদের অ্যাকাউন্ট, দ্বিতীয় ধাপ ও API টোকেন।
find-title = সনদ খুঁজে ছাপুন
certificate-number = সনদ নম্বর
find-hint = কাগজে ছাপা নম্বরটি লিখুন, হাইফেনসহ: { $bn }
lookup-bad = সনদ নম্বরটি পড়া গেল না; কাগজে যেমন ছাপা তেমন লিখুন (অফিস কোড-ক্রমিক)
lookup-other-office = { $typed } অন্য অফিসের ({ $theirs }) সনদ; এই অফিসের কোড { $ours }

## Command line
cli-user-reset-second-factor = অ্যাকাউন্টের দ্বিতীয় ধাপ মুছে দিন (ফোন হারালে; সব সেশন বন্ধ হয়)
token-created-scopes = যে কাজে চলবে: { $scopes }
cli-plain-http-warning = সতর্কতা: --trust-proxy-https ছাড়া অন্য কম্পিউটার থেকে সাধারণ HTTP-তে পাতাগুলো খুলবে না; অফিসের নেটওয়ার্কে HTTPS রিভার্স প্রক্সি দিন (issuer/README.md দেখুন)
back = ফিরে যান

## Bulk issuing (command line and the upload page)
bulk-records = টি রেকর্ড
bulk-line-too-long = লাইনটি { $max } বাইটের বেশি লম্বা
bulk-not-utf8 = লাইনটি UTF-8 নয় (স্প্রেডশিট থেকে "CSV UTF-8" হিসেবে সংরক্ষণ করুন)
bulk-too-many-lines = { $max }টির বেশি লাইন; বাকিটা পড়া হয়নি
bulk-csv-cells = এই সারিতে { $got }টি ঘর, শিরোনামে { $expected }টি
bulk-csv-unreadable = সারিটি CSV হিসেবে পড়া গেল না
bulk-upload-intro = একটি CSV (স্প্রেডশিট থেকে "CSV UTF-8") বা JSON Lines ফাইল দিন: প্রতিটি সারি একটি সনদ, সর্বোচ্চ { $max }টি, { $kib } KiB পর্যন্ত। প্রতিটি সারি আলাদাভাবে প্রদান বা প্রত্যাখ্যাত হয়; ফাইলটিই পড়া না গেলে কিছুই রাখা হয় না।
bulk-upload-columns-title = CSV-এর কলাম
bulk-upload-columns = প্রথম সারিতে কলামের নাম: type, office, issued (না দিলে আজ), expires, তারপর সনদের ঘরগুলোর নাম (name, father, nid, ward …)। নামের তালিকায় নামগুলো ; দিয়ে আলাদা; ওয়ারিশদের প্রত্যেকে নাম|সম্পর্ক|বয়স, ; দিয়ে আলাদা। খালি ঘর মানে ঘরটি নেই।
bulk-upload-file = ফাইল
bulk-upload-submit = সনদ প্রদান করুন
bulk-upload-result = ফল
bulk-upload-issued = প্রদান হয়েছে
bulk-upload-refused = প্রত্যাখ্যাত
bulk-upload-summary = প্রদান হয়েছে { $issued }টি, প্রত্যাখ্যাত { $refused }টি
bulk-upload-empty = ফাইলে কোনো রেকর্ড নেই
bulk-upload-too-many = ফাইলে { $got }টি রেকর্ড, একবারে সর্বোচ্চ { $max }টি; কিছুই রাখা হয়নি
bulk-upload-no-file = কোনো ফাইল দেওয়া হয়নি
bulk-upload-format = ফাইলের ধরন বলুন: Content-Type text/csv বা application/jsonl, অথবা ?format=csv|jsonl
bulk-upload-store-failed = সংরক্ষণাগারে লেখা গেল না; এই লাইন ও বাকিগুলো প্রদান হয়নি
