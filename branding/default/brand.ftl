# The product's brand, shared by every locale. A vendor replaces this file
# to rebrand the phone; every other message refers to it as { -brand-name }.

-brand-name = Deskphone
