if size :over 9999999999G { discard; }
