protocol-unknown-key = { $document ->
        [page] ফিডের
       *[status-list] স্ট্যাটাস-তালিকার
    } চাবি { $key } বিশ্বাস-তালিকায় নেই
protocol-key-not-valid = { $document ->
        [page] ফিডের
       *[status-list] স্ট্যাটাস-তালিকার
    } চাবি { $key } অফিস { $office } এর জন্য গ্রহণযোগ্য নয়
protocol-office-changed = এই ফিড অফিস { $was } এর, এখন { $now }
protocol-misplaced = ফিডের অবস্থান অসঙ্গত
protocol-head-behind = ফিডের অবস্থান অসঙ্গত
protocol-no-progress = ফিড এগোচ্ছে না
protocol-status-ahead = ফিডের অবস্থান অসঙ্গত
protocol-fork = ফিডের ইতিহাস আগে থেকে রাখা ইতিহাসের সঙ্গে অবস্থান { $position } এ মেলে না (ভিন্ন শাখা): গ্রহণ করা হয়নি
protocol-pin-mismatch = ফিডের ইতিহাস আপসকৃত চাবি { $key } এর জন্য বিশ্বাস-তালিকার পিনের সঙ্গে অবস্থান { $position } এ মেলে না (ভিন্ন শাখা, হয়তো চুরি করা চাবিতে তৈরি): গ্রহণ করা হয়নি
