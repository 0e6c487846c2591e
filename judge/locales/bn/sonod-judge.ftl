# sonod-judge: the verdicts' headlines and reasons, in Bangla (the first language of every
# page and report; English in ../en/sonod-judge.ftl). Placeables are filled in as given
# (dates already in Bangla digits).

## Headlines, one per verdict kind

headline-malformed = পড়া যায়নি
headline-unsupported-version = অসমর্থিত সংস্করণ
headline-untrusted-issuer = অবিশ্বস্ত প্রদানকারী
headline-bad-signature = জাল — স্বাক্ষর মেলেনি
headline-key-compromised = চাবি বেহাত — অবৈধ
headline-not-issued = জাল — কখনো প্রদান করা হয়নি
headline-revoked = বাতিল
headline-expired = মেয়াদোত্তীর্ণ
headline-not-yet-valid = এখনো কার্যকর নয়
headline-unconfirmed = স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ
headline-valid = সঠিক ও বৈধ
headline-look-alike = সতর্কতা — কিউআর কোডের লিংক অচেনা ওয়েবসাইটের

## Why a signed certificate is only unconfirmed

unchecked-no-feed = স্বাক্ষর সঠিক, কিন্তু অফিস সনদটি প্রদান করেছে কি না এবং বাতিল করেছে কি না তা যাচাই হয়নি: অনলাইনে যাচাই করুন বা অফলাইন তথ্য হালনাগাদ (sync) করুন
unchecked-not-yet-published = স্বাক্ষর সঠিক, কিন্তু সনদটি অফিসের প্রকাশিত তালিকায় এখনো নেই: এইমাত্র প্রদান করা হলে এক মিনিট পরে আবার যাচাই করুন; নইলে এটি চুরি যাওয়া চাবিতে তৈরি জাল হতে পারে
unchecked-stale = স্বাক্ষর সঠিক, কিন্তু অফিসের প্রকাশিত তালিকা অনেক আগে পড়া হয়েছে: এর পরের বাতিল জানা নেই — অফলাইন তথ্য হালনাগাদ (sync) করুন বা পরে আবার যাচাই করুন

## Reasons

reason-unsupported-version = এই সংস্করণ পড়া যায় না, যাচাইকারী হালনাগাদ করুন ({ $error })
reason-not-sonod = এটি সনদ-এর কিউআর কোড নয়
reason-damaged = সনদ পড়া যায়নি: কোডটি ক্ষতিগ্রস্ত বা বদলানো ({ $error })
reason-unknown-key = স্বাক্ষরের চাবি ({ $kid }) বিশ্বাস-তালিকায় নেই
reason-wrong-office = এই চাবি { $key_office } অফিসের, কিন্তু সনদে অফিস { $claimed } লেখা
reason-key-not-valid-then = প্রদানের তারিখে এই চাবি স্বাক্ষরের জন্য বৈধ ছিল না
reason-bad-signature = স্বাক্ষর মেলেনি: সনদের তথ্য বদলানো বা জাল
reason-key-compromised = অফিসের স্বাক্ষরের চাবি বেহাত হয়েছে; এই চাবির সব সনদ অবৈধ — অফিস থেকে নতুন কপি নিন
reason-not-issued = স্বাক্ষর সঠিক, কিন্তু অফিস এই সনদ কখনো প্রদান করেনি (চুরি যাওয়া চাবিতে তৈরি জাল)
reason-revoked = অফিস এই সনদ { $date } তারিখে বাতিল করেছে: { $reason }
reason-expired = মেয়াদ { $date } তারিখে শেষ হয়েছে
reason-not-yet-valid = প্রদানের তারিখ { $date } এখনো আসেনি
reason-valid = স্বাক্ষর সঠিক, অফিস প্রদান করেছে, বাতিল নয়; নিচের তথ্য কাগজের সাথে মিলিয়ে নিন
