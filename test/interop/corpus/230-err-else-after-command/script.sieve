if true { keep; }
keep;
else { discard; }
