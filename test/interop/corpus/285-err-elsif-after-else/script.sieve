if true { keep; } else { discard; } elsif true { keep; }
