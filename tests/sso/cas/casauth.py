"""The test campus directory: any username signs in with the password "cas-password".

Attributes follow from the name, so tests need no set-up: a username starting with
"stu" is a student (eduPersonAffiliation=student), any other is staff; the e-mail is
<username>@cas.example.edu.
"""
from cas_server.auth import AuthUser

PASSWORD = "cas-password"


class CampusUser(AuthUser):
    def test_password(self, password):
        return bool(self.username) and password == PASSWORD

    def attributs(self):
        affiliation = "student" if self.username.startswith("stu") else "staff"
        return {
            "uid": self.username,
            "mail": f"{self.username}@cas.example.edu",
            "displayName": self.username.replace(".", " ").title(),
            "eduPersonAffiliation": affiliation,
        }
