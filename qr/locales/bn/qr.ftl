read-file-too-large = ফাইল অনেক বড় (সর্বোচ্চ { $n0 } বাইট)
read-image-too-large = ছবি অনেক বড় ({ $n0 }×{ $n1 })
read-empty = ফাইলটি খালি
read-not-an-image = ছবি পড়া যায়নি (PNG, JPEG, WebP, BMP, TIFF, GIF, PDF)
read-pdf = পিডিএফ পড়া যায়নি
read-expands = ফাইলের ভেতরের একটি সংকুচিত অংশ { $mib } MiB-এর বেশি বড় হয়
read-pdf-unsupported = পিডিএফের এই অংশ এখানে পড়া হয় না: { $what ->
        [encrypted] এনক্রিপ্ট করা পিডিএফ
        [stored-elsewhere] একটি অংশের মাপ বা ফিল্টার অন্য জায়গায় রাখা
        [damaged] একটি সংকুচিত অংশ ক্ষতিগ্রস্ত
        [overlapping] অংশগুলো একটির ওপর আরেকটি জড়ানো
        [fax-without-height] উচ্চতা ছাড়া ফ্যাক্স-সংকোচনের ছবি
        [jbig2] JBIG2-সংকোচনের ছবি (JPEG বা PNG হিসেবে স্ক্যান করুন)
       *[other] অজানা
    }
read-timed-out = নির্ধারিত { $ms } মিলিসেকেন্ডে কোনো কিউআর কোড পাওয়া যায়নি
