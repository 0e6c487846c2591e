count = { $n } pictures, key { $key }
