require "vacation";
vacation :days 2 :subject "Out of office" :from "bob@example.com" :handle "ooo"
  text:
I am out of the office.
Back soon.
.
;
