keep;
/* no end
keep;
