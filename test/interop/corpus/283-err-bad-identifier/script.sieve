3keep;
