count = { $n }টি ছবি, চাবি { $key }
