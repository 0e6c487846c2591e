# sonod-judge: the verdicts' headlines and reasons, in Bangla (the first language of every
# page and report; English in ../en/sonod-judge.ftl). Placeables are filled in as given
# (dates already in Bangla digits).
#
# A reason is read by the person holding the paper and by the clerk in front of them: it says
# what the verdict means for the paper and what to do, in plain words. No format names, codes
# or English words in the Bangla line: technical detail goes to the `detail-*` messages, shown
# apart as "technical detail", and to the JSON's `reason_code`.

## Headlines, one per verdict kind

headline-malformed = সনদের কোড পড়া যায়নি
headline-unsupported-version = এখানে যাচাই করা যায়নি
headline-untrusted-issuer = আসল নয় — স্বীকৃত অফিসের স্বাক্ষর নেই
headline-bad-signature = জাল — স্বাক্ষর মেলেনি
headline-key-compromised = অবৈধ — অফিসের স্বাক্ষর-চাবি চুরি হয়েছে
headline-not-issued = জাল — কখনো প্রদান করা হয়নি
headline-revoked = বাতিল — আর বৈধ নয়
headline-expired = মেয়াদোত্তীর্ণ
headline-not-yet-valid = এখনো কার্যকর নয়
headline-unconfirmed = স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ
headline-valid = সঠিক ও বৈধ
headline-look-alike = সতর্কতা — কিউআর কোডের লিংক অচেনা ওয়েবসাইটের

## Why a signed certificate is only unconfirmed

unchecked-no-feed = অফিসের স্বাক্ষর সঠিক, কিন্তু অফিস সনদটি প্রদান করেছে কি না এবং পরে বাতিল করেছে কি না তা এখানে যাচাই হয়নি। শুধু এর ভিত্তিতে গ্রহণ করবেন না: ইন্টারনেটে সরকারি যাচাই-সাইটে আবার যাচাই করুন, বা যাচাই-যন্ত্রের অফলাইন তথ্য হালনাগাদ করুন।
unchecked-not-yet-published = অফিসের স্বাক্ষর সঠিক, কিন্তু সনদটি অফিসের প্রকাশিত তালিকায় এখনো নেই। এইমাত্র প্রদান করা হলে এক মিনিট পরে আবার যাচাই করুন; তখনও না থাকলে গ্রহণ করবেন না — এটি চুরি যাওয়া চাবিতে তৈরি জাল হতে পারে।
unchecked-stale = অফিসের স্বাক্ষর সঠিক, কিন্তু অফিসের প্রকাশিত তালিকা অনেক আগে পড়া হয়েছে, তাই এর পরে সনদটি বাতিল হয়েছে কি না জানা নেই। যাচাই-যন্ত্রের অফলাইন তথ্য হালনাগাদ করে বা ইন্টারনেটে আবার যাচাই করুন।

## Reasons: what the verdict means for the paper, and what to do

reason-unsupported-version = এই কোড এমন এক ধরনে তৈরি, যা এই যাচাই-ব্যবস্থা পড়তে পারে না; তাই সনদটি আসল কি না বলা যাচ্ছে না। সরকারি যাচাই-সাইটে আবার যাচাই করুন, বা যে অফিস সনদ দিয়েছে সেখানে জিজ্ঞাসা করুন; ততক্ষণ যাচাই হয়েছে বলে ধরবেন না।
reason-not-sonod = এটি সনদের কিউআর কোড নয়, তাই এ দিয়ে কোনো সনদ যাচাই হয় না। সনদের কাগজে ছাপা কিউআর কোডটি স্ক্যান করুন।
reason-damaged = কোডটি পড়া গেল না: কোডটি নষ্ট, অস্পষ্ট, বা এতে বদল করা হয়েছে। কোডটির পরিষ্কার ছবি তুলে আবার চেষ্টা করুন; তবুও না হলে এই কাগজ গ্রহণ করবেন না এবং যে অফিস সনদ দিয়েছে সেখানে যোগাযোগ করুন।
reason-unknown-key = এই কোডে কোনো স্বীকৃত অফিসের স্বাক্ষর নেই। এই কাগজ আসল সনদ নয় — গ্রহণ করবেন না; যে অফিসের সনদ বলে দাবি করা হচ্ছে, সেখানে জিজ্ঞাসা করুন।
reason-wrong-office = কোডে যে অফিসের নাম লেখা, স্বাক্ষর সেই অফিসের নয়: তথ্য বদলানো হয়েছে বা এটি জাল। এই কাগজ আসল সনদ নয় — গ্রহণ করবেন না; যে অফিস সনদ দিয়েছে বলে লেখা, সেখানে জিজ্ঞাসা করুন।
reason-key-not-valid-then = কোডে লেখা প্রদানের তারিখে অফিসের এই স্বাক্ষর-চাবি চালু ছিল না: তারিখ বদলানো হয়েছে বা এটি জাল। এই কাগজ গ্রহণ করবেন না; যে অফিস সনদ দিয়েছে বলে লেখা, সেখানে জিজ্ঞাসা করুন।
reason-bad-signature = কোডের তথ্য বদলানো হয়েছে বা এটি জাল: অফিসের স্বাক্ষর মেলেনি। এই কাগজ আসল সনদ নয় — গ্রহণ করবেন না; যে অফিস সনদ দিয়েছে বলে লেখা, সেখানে জিজ্ঞাসা করুন।
reason-key-compromised = এই অফিসের স্বাক্ষর-চাবি চুরি হয়েছে, তাই এই কপি আর বিশ্বাস করা যায় না। গ্রহণ করবেন না; সনদধারী অফিস থেকে নতুন স্বাক্ষরের কপি সংগ্রহ করবেন।
reason-not-issued = অফিসের চাবিতে স্বাক্ষর আছে, কিন্তু অফিস এই সনদ কখনো প্রদান করেনি: এটি চুরি যাওয়া চাবিতে তৈরি জাল। গ্রহণ করবেন না; অফিসকে জানান।
reason-revoked = অফিস এই সনদ { $date } তারিখে বাতিল করেছে ({ $reason }); এটি আর বৈধ নয়। গ্রহণ করবেন না; সনদধারী অফিসে যোগাযোগ করবেন।
reason-expired = এই সনদের মেয়াদ { $date } তারিখে শেষ হয়েছে; এটি আর বৈধ নয়। সনদধারী অফিস থেকে নতুন সনদ নেবেন।
reason-not-yet-valid = কোডে প্রদানের তারিখ { $date }, যা এখনো আসেনি। এই যন্ত্রের তারিখ ঠিক আছে কি না দেখুন; ঠিক থাকলে গ্রহণ করবেন না এবং যে অফিস সনদ দিয়েছে সেখানে জিজ্ঞাসা করুন।
reason-valid = অফিসের স্বাক্ষর সঠিক, অফিস সনদটি প্রদান করেছে এবং বাতিল করেনি। নিচের প্রতিটি তথ্য কাগজের সাথে মিলিয়ে নিন।

## Technical detail (shown apart from the reason, for the people who run verifiers)

detail-unknown-key = চাবি { $kid } জাতীয় বিশ্বাস-তালিকায় নেই
detail-wrong-office = কোডে অফিস কোড { $claimed } লেখা, কিন্তু চাবি { $kid } অফিস { $key_office }-এর
detail-key-not-valid-then = চাবি { $kid } স্বাক্ষর করতে পারে { $from } থেকে { $to } পর্যন্ত; কোডে প্রদানের তারিখ { $issued }

## চাবি পরে চুরি হলেও আসল সনদ

headline-valid-before-compromise = আসল — নতুন করে সিলমোহর করা কপি সংগ্রহ করুন
reason-valid-before-compromise = অফিস এই সনদ দিয়েছে এবং বাতিল করেনি: অফিসের স্বাক্ষর-চাবি চুরি হওয়ার আগেই এটি প্রকাশিত হয়েছিল, তাই এটি আসল। চাবি চুরি হওয়ায় এই কপি অন্যত্র বিশ্বাস করা কঠিন: ধারককে অফিস থেকে নতুন করে সিলমোহর করা কপি (একই নম্বর) সংগ্রহ করতে হবে। নিচের প্রতিটি তথ্য কাগজের সঙ্গে মিলিয়ে দেখুন।
