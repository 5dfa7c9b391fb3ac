if header :is "subject" [] { keep; }
