"""The unsubscribe page, Swedish first; kept in code so that it ships with the module."""

UNSUBSCRIBE_PAGE = """\
<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{% if language == "en" %}Unsubscribe{% else %}Avsluta prenumeration{% endif %} – Samverkan</title>
</head>
<body>
<main>
{% if about is none %}
  {% if language == "en" %}
  <h1>The link does not work</h1>
  <p>This unsubscribe link is not valid. Use the link in the latest message you got from us.</p>
  {% else %}
  <h1>Länken fungerar inte</h1>
  <p>Den här länken för att avsluta prenumerationen gäller inte.
  Använd länken i det senaste mejlet du fick från oss.</p>
  {% endif %}
{% elif done or not about.active %}
  {% if language == "en" %}
  <h1>You are unsubscribed</h1>
  <p>We will not send any more messages about this to {{ about.address }}.</p>
  {% else %}
  <h1>Du har avslutat prenumerationen</h1>
  <p>Vi skickar inga fler meddelanden om det här till {{ about.address }}.</p>
  {% endif %}
{% else %}
  {% if language == "en" %}
  <h1>Unsubscribe</h1>
  <p>Do you want to stop getting messages about this to {{ about.address }}?</p>
  <form method="post"><button type="submit">Yes, unsubscribe</button></form>
  {% else %}
  <h1>Avsluta prenumeration</h1>
  <p>Vill du sluta få meddelanden om det här till {{ about.address }}?</p>
  <form method="post"><button type="submit">Ja, avsluta</button></form>
  {% endif %}
{% endif %}
</main>
</body>
</html>
"""
