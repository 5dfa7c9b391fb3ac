if header :contains "" "" { discard; }
