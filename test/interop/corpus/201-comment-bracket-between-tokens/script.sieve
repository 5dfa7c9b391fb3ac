require /* c1 */ "fileinto" /* c2 */;
if /* c3 */ header /**/ :is "subject" /* c4 */ "Meeting tomorrow" { fileinto /*c5*/ "yes"; }
