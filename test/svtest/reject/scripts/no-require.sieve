reject "I do not accept mail from you.";
