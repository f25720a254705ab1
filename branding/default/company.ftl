# The company behind the phone, shown in the web UI's navigation next to the
# logo (logo.svg in this folder). A vendor replaces this file and the logo.

-company-name = Deskphone Project
