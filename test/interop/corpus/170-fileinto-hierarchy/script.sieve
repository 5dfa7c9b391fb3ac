require "fileinto";
fileinto "Lists.sieve";
fileinto "Lists/dovecot";
