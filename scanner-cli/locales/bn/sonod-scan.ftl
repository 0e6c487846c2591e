# sonod-scan: what the scanner's reports say, in Bangla (shown first; English in
# ../en/sonod-scan.ftl). The verdicts' own headlines and reasons are sonod-judge's.
# Numbers and dates come in already written in Bangla digits.

## A verdict as lines for a person

reason-label = কারণ
development = উন্নয়ন-চাবি: এটি আসল সনদ নয়
look-alike-host = কিউআর-এর ঠিকানা { $host } সরকারি যাচাই-সাইট নয় — ওই লিংকে ভরসা করবেন না
office-label = অফিস
office-unverified-label = কোডে যে চাবির উল্লেখ, তা যে অফিসের (যাচাই হয়নি)
certificate-label = সনদ
number-label = সনদ নং
detail-label = কারিগরি বিবরণ
issued-label = প্রদান
expires-label = মেয়াদ

## A verdict as one kiosk line

hint-not-yet-published = অফিসের প্রকাশিত তালিকায় এখনো নেই — পরে আবার যাচাই করুন
hint-stale = তথ্যভান্ডার পুরোনো — হালনাগাদ করুন
hint-unchecked = প্রদান ও বাতিল যাচাই হয়নি — তথ্যভান্ডার হালনাগাদ করুন বা অনলাইনে যাচাই করুন
kiosk-development = উন্নয়ন-চাবি
kiosk-look-alike = ভুয়া ঠিকানা

## What the source adds

duration-days-hours = { $d } দিন { $h } ঘণ্টা
duration-hours-minutes = { $h } ঘণ্টা { $m } মিনিট
duration-minutes = { $m } মিনিট
duration-seconds = { $s } সেকেন্ড
stale-age = তথ্যভান্ডার { $age } পুরোনো (সীমা { $limit }): সাম্প্রতিক বাতিল ধরা না-ও পড়তে পারে — `sonod-scan sync` চালান
stale-unknown = তথ্যভান্ডারের কোনো স্বাক্ষরিত নথি বলে না এটি কবেকার: সাম্প্রতিক বাতিল ধরা না-ও পড়তে পারে — `sonod-scan sync` চালান
snapshot-label = তথ্যভান্ডার
snapshot-as-of = { $time } পর্যন্ত, { $age } আগের
office-not-in-snapshot = এই অফিস তথ্যভান্ডারে নেই: বাতিল বা প্রদান যাচাই হয়নি
verifier-label = যাচাইকারী
feed-age = ফিড { $age } আগের

## A revocation known from the status list only (a verdict's reason)

revoked-by-status-list = অফিসের স্ট্যাটাস-তালিকায় বাতিল চিহ্নিত (তারিখটি তালিকার)

## Reading images and folders

error-label = ত্রুটি
no-qr-in-image = ছবিতে কোনো কিউআর কোড পাওয়া যায়নি
no-qr-in-any-image = কোনো ছবিতে কিউআর কোড পাওয়া যায়নি
cannot-watch = ফোল্ডার দেখা যাচ্ছে না
watching = { $dir } ফোল্ডারে নতুন ফাইলের অপেক্ষা
cannot-read-folder = ফোল্ডার পড়া যায়নি
no-files-in-folder = ফোল্ডারে কোনো ফাইল নেই
unit-images = ছবি
time-left = বাকি

## The summary at the end of a folder (numbers in Bangla digits)

summary-valid = { $n }টি বৈধ
summary-unconfirmed = { $n }টি যাচাই অসম্পূর্ণ
summary-bad-signature = { $n }টি জাল (স্বাক্ষর মেলেনি)
summary-key-compromised = { $n }টি ফাঁস হওয়া চাবিতে স্বাক্ষরিত
summary-revoked = { $n }টি বাতিল
summary-not-issued = { $n }টি অফিস প্রদান করেনি
summary-untrusted-issuer = { $n }টি অচেনা প্রদানকারীর
summary-expired = { $n }টির মেয়াদ শেষ
summary-not-yet-valid = { $n }টি এখনো কার্যকর নয়
summary-unsupported-version = { $n }টি এই সংস্করণে পড়া যায় না
summary-malformed = { $n }টি সনদের কোড নয়
summary-read = { $n }টি কোড পড়া হয়েছে
summary-no-qr = { $n }টিতে কিউআর কোড নেই
summary-unreadable = { $n }টি পড়া যায়নি
summary-failed = { $n }টি যাচাই করা যায়নি
summary-skipped = { $n }টি ছবি বা পিডিএফ নয় (বাদ)
summary-nothing = কিছু পড়া হয়নি
not-an-image-skipped = ছবি বা পিডিএফ নয় — বাদ
no-images-found = কোনো ছবি বা পিডিএফ পাওয়া যায়নি

## sonod-scan sync

sync-connecting = সংযোগ
sync-source-label = উৎস
sync-source-verifier = যাচাইকারী
sync-source-issuer = প্রদানকারী
sync-trust-verified = বিশ্বাস-তালিকা যাচাই হয়েছে (ক্রম { $sequence })
sync-old-snapshot-ignored = পুরোনো তথ্যভান্ডার বাদ, নতুন করে আনা হচ্ছে
sync-office-untrusted = অফিস { $office } বিশ্বাস-তালিকায় নেই, বাদ
sync-office-old-data = অফিস { $office }: পুরোনো তথ্য বাদ
sync-office-missing = উৎসে এই অফিস নেই
sync-too-many-pages = অনেক বেশি পাতা
sync-bad-hash = ফিডে ভুল হ্যাশ
sync-status-older = অফিস { $office }: উৎসের স্ট্যাটাস-তালিকা পুরোনো, আগেরটি রাখা হলো
sync-no-status = অফিস { $office }: উৎসে স্ট্যাটাস-তালিকা নেই
sync-status-compromised = অফিস { $office }: উৎসের স্ট্যাটাস-তালিকা আপসকৃত চাবিতে স্বাক্ষরিত, বাদ দেওয়া হলো (বাতিলের তথ্য ফিডের পাতা থেকে নেওয়া হবে)
sync-source-behind = অফিস { $office }: উৎস তথ্যভান্ডারের পেছনে ({ $source } < { $position }), ফিড আগের মতো
sync-position = অবস্থান
sync-done = সম্পন্ন
unit-offices = অফিস
unit-pages = পাতা
unit-new-events = নতুন ঘটনা
unit-bytes-fetched = বাইট আনা
unit-bytes = বাইট
floor-not-written = বিশ্বাস-তালিকার ক্রম { $path } এ লেখা যায়নি ({ $error }): পুরোনো তালিকায় ফিরে যাওয়া ধরা না-ও পড়তে পারে

## Errors (the Display of the error types)
root-missing = রুট চাবি নেই: --root FILE দিন, অথবা প্রশাসক হিসেবে { $system_root } এ রুট চাবি রাখুন (তথ্যভান্ডারের কপি বিশ্বাস করা হয় না)
root-unreadable = রুট চাবি { $path } পড়া যায়নি
root-unprotected = { $path } প্রশাসক ছাড়া অন্য কেউ বদলাতে পারেন, তাই এটি বিশ্বাসযোগ্য নয়: মালিক root, অন্যদের লেখার অনুমতি নেই — এমন করুন
root-mismatch = রুট চাবি { $given_id } ({ $given }) এই যন্ত্রে স্থির করা চাবি { $pinned_id } ({ $pinned }) নয়
floor-rollback = বিশ্বাস-তালিকা পুরোনো: এর ক্রম { $got }, অথচ এই যন্ত্র আগেই ক্রম { $have } দেখেছে; পুরোনো তালিকা পরে আপসকৃত ঘোষিত চাবিকে বিশ্বাস করতে পারে। নতুন তালিকা আনুন (`sonod-scan sync`); ইচ্ছা করে পেছনে যেতে { $path } মুছে দিন
floor-unreadable = অবস্থা-ফাইল { $path } পড়া যায়নি ({ $message }); ঠিক করুন বা মুছে দিন
sync-busy = এই তথ্যভান্ডারে আরেকটি সিঙ্ক চলছে, সেটি শেষ হলে আবার চেষ্টা করুন
sync-bad-url = ঠিকানাটি সঠিক নয় (http:// বা https:// দিয়ে শুরু হতে হবে): { $n0 }
sync-connect = { $url } এ সংযোগ হয়নি
sync-timeout = { $url } সময়মতো উত্তর দেয়নি
sync-status = { $url } উত্তর দিয়েছে HTTP { $status }
sync-too-large = { $url } এর উত্তর { $limit } বাইটের চেয়ে বড়
sync-not-sonod = { $n0 } সনদ যাচাইকারী বা প্রদানকারী নয়
sync-trust-needed = প্রদানকারী বিশ্বাস-তালিকা দেয় না; --trust FILE বা URL দিন
sync-trust = বিশ্বাস-তালিকা
sync-trust-rollback = বিশ্বাস-তালিকা পুরোনো (ক্রম { $got }, তথ্যভান্ডারে { $have })
sync-store = তথ্যভান্ডারে লেখা যায়নি
snapshot-missing = { $n0_display } এ কোনো তথ্যভান্ডার নেই; আগে `sonod-scan sync --from URL` চালান, অথবা --trust ও --root দিন
snapshot-damaged = তথ্যভান্ডার ক্ষতিগ্রস্ত বা বদলানো ({ $n0 }); আবার `sonod-scan sync` চালান
snapshot-trust = তথ্যভান্ডারের বিশ্বাস-তালিকা
snapshot-io = তথ্যভান্ডার পড়া যায়নি
decode-image-io = ফাইল পড়া যায়নি
stream-io = পড়া যায়নি
stream-frame-too-large = ফ্রেম অনেক বড় (সর্বোচ্চ { $n0 } বাইট)
stream-unknown-format = অচেনা ফ্রেম (JPEG, PNG বা BMP চাই)
stream-truncated = ফ্রেমের মাঝে প্রবাহ শেষ
cli-about = সনদ যাচাই
root-built-in = প্রোগ্রামে অন্তর্ভুক্ত
online-bad-answer = যাচাইকারীর উত্তর বোঝা যায়নি
check-cannot-open = ফাইল খোলা যায়নি

cli-after-help =
    উদাহরণ:
      sonod-scan photo.jpg scans/                 ছবি ও ফোল্ডার
      ffmpeg -i /dev/video0 -f image2pipe -vcodec mjpeg - | sonod-scan --kiosk -
      sonod-scan --watch /srv/scanner/inbox       স্ক্যানারের ফোল্ডার

    প্রস্থান-কোড (সবচেয়ে খারাপটি: ২, তারপর ১, ৩, ০):
      ০  সব সনদ বৈধ, সম্পূর্ণ যাচাই করা
      ১  কোনোটি বৈধ নয়, বা ছবিতে কিউআর কোড নেই
      ২  ব্যবহার বা ফাইলের ত্রুটি, ক্ষতিগ্রস্ত বা বদলানো তথ্যভান্ডার, অথবা পুরোনো বিশ্বাস-তালিকা
      ৩  স্বাক্ষর সঠিক, কিন্তু অফিস প্রদান করেছে কি না বা বাতিল করেছে কি না যাচাই হয়নি
         (শুধু বিশ্বাস-তালিকা, পুরোনো বা অসম্পূর্ণ তথ্যভান্ডার): sync করুন বা অনলাইনে যাচাই করুন

    রুট চাবি: --root FILE, অথবা এই যন্ত্রে স্থির করা (/etc/sonod/root.pub.pem, বা প্রোগ্রামে
    অন্তর্ভুক্ত); তখন --root একই চাবি হতে হবে; তথ্যভান্ডারের কোনো ফাইল এর জন্য বিশ্বাস করা হয় না।
    বিশ্বাস-তালিকার সর্বোচ্চ ক্রম $XDG_STATE_HOME/sonod-scan/ এ থাকে (ইচ্ছা করে পেছনে যেতে
    সেখানে trust-sequence.json মুছুন)।
