# The verifier's pages, in Bangla (first on every page). The same ids in ../en/verifier.ftl.

## The layout
footer = সনদ — সরকারি সনদ যাচাই। এই পাতা কোনো তথ্য সংরক্ষণ করে না।
title-verification = সনদ যাচাই
title-scan = কিউআর কোড যাচাই

## A verdict
issued-by = প্রদানকারী: { $office }
signed-with-key-of = স্বাক্ষর: { $office }-এর চাবিতে
checked = যাচাই: { $time }
look-alike-warning = সতর্কতা: এই কিউআর কোড যে ঠিকানায় নিয়ে যায় ({ $host }) তা বিশ্বাস-তালিকার কোনো সরকারি যাচাই-ঠিকানা নয়। নকল ওয়েবসাইট হতে পারে — শুধু সরকারি ঠিকানায় যাচাই করুন।
facts-unconfirmed = সনদে স্বাক্ষরিত তথ্য — নিশ্চিত নয়
facts-unconfirmed-hint = এই তথ্য অফিসের চাবিতে স্বাক্ষরিত, কিন্তু অফিস সনদটি প্রদান করেছে কি না এবং বাতিল করেছে কি না তা নিশ্চিত হয়নি। শুধু এর ভিত্তিতে সিদ্ধান্ত নেবেন না।
facts = সনদের স্বাক্ষরিত তথ্য
facts-hint = কাগজের সাথে প্রতিটি তথ্য মিলিয়ে নিন।
fact-type = সনদের ধরন
fact-number = সনদ নং
fact-issued = প্রদানের তারিখ
fact-expires = মেয়াদ শেষ
person-age = { $age } বছর
office-issuing = প্রদানকারী অফিস
office-key-of = স্বাক্ষরকারী চাবি যে অফিসের
office-unverified = কোডে যে চাবির উল্লেখ, তা যে অফিসের — যাচাই হয়নি
technical = কারিগরি বিবরণ
technical-hint = যাঁরা যাচাই-ব্যবস্থা চালান তাঁদের জন্য। সনদধারী ও কর্মকর্তার জন্য ওপরের কারণটিই যথেষ্ট।
technical-detail = বিবরণ
checked-at = যাচাইয়ের সময়
feed-as-of = অফিসের বাতিল-তালিকা হালনাগাদ
feed-not-followed = এই যাচাই-সেবা এই অফিসের তালিকা অনুসরণ করে না — প্রদান ও বাতিল যাচাই হয়নি
feed-unavailable = পাওয়া যায়নি — বাতিলের তথ্য যাচাই করা যায়নি
signing-key = স্বাক্ষরের চাবি
check-another = আরেকটি সনদ যাচাই করুন
dhaka-time = { $date }, { $time }

## Errors
could-not-check = যাচাই করা যায়নি
form-unreadable = ফর্ম পড়া যায়নি
server-busy = সার্ভার ব্যস্ত, একটু পরে চেষ্টা করুন
no-qr-in-image = ছবিতে কোনো কিউআর কোড পাওয়া যায়নি। কোডটি বড় ও স্পষ্ট করে আবার ছবি তুলুন।
nothing-sent = কোনো ছবি বা লেখা পাঠানো হয়নি।

## The scan page
scan-heading = সনদ যাচাই
scan-intro = সনদের কিউআর কোডের ছবি তুলুন বা ছবি বেছে নিন, তারপর "যাচাই করুন" চাপুন।
scan-photo = ক্যামেরায় ছবি তুলুন
scan-file = অথবা ছবি বেছে নিন
scan-text = অথবা কোডের লেখা বসান
scan-go = যাচাই করুন
serve-client = HTTP ক্লায়েন্ট তৈরি হয়নি
app-too-large = অনুরোধ অনেক বড় (সর্বোচ্চ { $n0 } বাইট)
app-too-many-requests = অনেক বেশি অনুরোধ; { $retry_secs_0 } সেকেন্ড পরে আবার চেষ্টা করুন
app-batch-limited = এই ব্যাচে { $asked }টি; এখন সর্বোচ্চ { $allowed_now }টি পাঠানো যাবে, সবগুলো { $retry_secs_wait } সেকেন্ড পরে
image-empty = কোনো ছবি পাঠানো হয়নি
image-file-too-large = ছবির ফাইল অনেক বড় (সর্বোচ্চ ৮ MiB)
image-too-many-pixels = ছবি অনেক বড় ({ $w }×{ $h }); JPEG ছবি সর্বোচ্চ { $photo_mp } মেগাপিক্সেল, অন্য ছবি সর্বোচ্চ { $side } পিক্সেল প্রতি পাশে ও { $mp } মেগাপিক্সেল
image-expands = ছবির ভেতরের একটি সংকুচিত অংশ অস্বাভাবিক বড় হয়; অন্য ছবি পাঠান
image-not-an-image = ছবিটি পড়া যায়নি
image-timed-out = নির্ধারিত সময়ে কোনো কিউআর কোড পাওয়া যায়নি। কোডটি বড় ও স্পষ্ট করে আবার ছবি তুলুন।
sync-no-trust-list = বিশ্বাস-তালিকা নেই
sync-fetch = ফিড আনা যায়নি
sync-position = ফিডের অবস্থান অসঙ্গত
sync-not-mirror = { $url } যাচাই সেবার মিরর নয়: { $url }/api/v1/offices এ sonod-mirror/1 তালিকা পাওয়া যায়নি
sync-mirror-too-many = মিরর { $url } এ অফিস অনেক বেশি (সর্বোচ্চ { $max }টি)
replica-store = রেপ্লিকা সংরক্ষণাগারে ত্রুটি
replica-position = ফিডের অবস্থান মেলে না (রেপ্লিকা { $have }, পাতা { $page })
replica-bad-hash = ফিডে ভুল হ্যাশ
trust-load-fetch = বিশ্বাস-তালিকা আনা যায়নি
trust-load-rollback = পুরনো বিশ্বাস-তালিকা প্রত্যাখ্যাত: এর ক্রম { $new }, কিন্তু এই যাচাই-সেবা আগে ক্রম { $current } গ্রহণ করেছে (ইচ্ছাকৃতভাবে ফিরতে: সেবা বন্ধ করে `sonod-verifier accept-trust-rollback --to { $new }`)
floor-io = বিশ্বাস-তালিকার ক্রমের ফাইল { $path } পড়া বা লেখা যায়নি
floor-damaged = বিশ্বাস-তালিকার ক্রমের ফাইল { $path } নষ্ট; ঠিক করতে `sonod-verifier accept-trust-rollback --to N` চালান
verify-no-trust-list = বিশ্বাস-তালিকা লোড হয়নি; এখন যাচাই করা যাচ্ছে না
floor-lowered = বিশ্বাস-তালিকার ক্রম ইচ্ছাকৃতভাবে নামানো হয়েছে
api-unreadable = অনুরোধ পড়া যায়নি
api-invalid-json = JSON পড়া যায়নি
api-batch-too-large = একবারে সর্বোচ্চ { $max }টি
api-after-not-number = after সংখ্যা হতে হবে
internal-error = অভ্যন্তরীণ ত্রুটি
limit-batch-over-burst = ছাড়-টোকেন ছাড়া এক ব্যাচে সর্বোচ্চ { $burst }টি; ছোট ব্যাচে পাঠান
cli-about = সনদ যাচাই
cli-serve = যাচাই সেবা চালু করুন
cli-rollback = ইচ্ছাকৃতভাবে পুরনো বিশ্বাস-তালিকায় ফেরা
cli-rollback-long = সেবা এমন বিশ্বাস-তালিকা নেয় না যার ক্রম এ পর্যন্ত গৃহীত সর্বোচ্চ ক্রমের (ডেটা ফোল্ডারে রাখা) চেয়ে নিচে, আবার চালু করার পরেও। জাতীয় কর্তৃপক্ষের নির্দেশে, সেবা বন্ধ রেখে, এই আদেশ সেই সীমা --to এ নামায়, যাতে পরের চালুতে সেই ক্রম বা তার পরের তালিকা গৃহীত হয়।
cli-error = ত্রুটি
cli-trust-needed = বিশ্বাস-তালিকা দিন
cli-bad-mirror = --mirror { $url }: যাচাই সেবার http(s) ঠিকানা দিন, যেমন http://127.0.0.1:8081
cli-bad-issuer = --issuer { $url }: দপ্তরের সেবার http(s) ঠিকানা দিন, যেমন http://127.0.0.1:8080
cli-dev-keys = উন্নয়নের চাবি, { $dir } ফোল্ডারে
cli-root-key = রুট চাবি { $path } পড়া যায়নি
cli-listen = { $addr } ঠিকানায় শোনা যায়নি
cli-replica-unopenable = রেপ্লিকা { $dir } খোলা যায়নি: { $error }. ফোল্ডারে লেখা না গেলে বা ডিস্ক ভরা থাকলে তা ঠিক করুন; নষ্ট হলে এটি ফিড থেকে আবার তৈরি করা যায়: ফোল্ডারটি সরিয়ে রেখে আবার চালু করুন
cli-not-started = যাচাই সেবা চালু হয়নি
cli-rollback-unchanged = কিছু বদলায়নি: সর্বোচ্চ গৃহীত ক্রম { $to } এর চেয়ে নিচে নয়
cli-rollback-done = সতর্কতা: সর্বোচ্চ গৃহীত বিশ্বাস-তালিকার ক্রম { $from } থেকে { $to } এ নামানো হলো; পরের চালুতে ক্রম { $to } বা পরের তালিকা গৃহীত হবে। শুধু জাতীয় কর্তৃপক্ষের নির্দেশে করুন।
