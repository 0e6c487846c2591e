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
fact-serial = ক্রমিক নং
fact-issued = প্রদানের তারিখ
fact-expires = মেয়াদ শেষ
person-age = { $age } বছর
office-issuing = প্রদানকারী অফিস
office-key-of = স্বাক্ষরকারী চাবি যে অফিসের
office-claimed = দাবিকৃত অফিস
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
