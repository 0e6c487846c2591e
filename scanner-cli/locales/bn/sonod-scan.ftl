# sonod-scan: what the scanner's reports say, in Bangla (shown first; English in
# ../en/sonod-scan.ftl). The verdicts' own headlines and reasons are sonod-judge's.
# Numbers and dates come in already written in Bangla digits.

## A verdict as lines for a person

reason-label = কারণ
development = উন্নয়ন-চাবি: এটি আসল সনদ নয়
look-alike-host = কিউআর-এর ঠিকানা { $host } সরকারি যাচাই-সাইট নয় — ওই লিংকে ভরসা করবেন না
office-label = অফিস
certificate-label = সনদ
serial-label = ক্রমিক
issued-label = প্রদান
expires-label = মেয়াদ

## A verdict as one kiosk line

hint-not-yet-published = অফিসের প্রকাশিত তালিকায় এখনো নেই — পরে আবার যাচাই করুন
hint-stale = তথ্যভান্ডার পুরোনো — sync করুন
hint-unchecked = প্রদান ও বাতিল যাচাই হয়নি — sync বা অনলাইনে যাচাই করুন
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
