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

# The page behind a confirmation link. A GET only shows the button: mail scanners and link
# previews follow links, and must not confirm for the person.
CONFIRM_PAGE = """\
<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{% if language == "en" %}Confirm e-mail{% else %}Bekräfta e-post{% endif %} – Samverkan</title>
</head>
<body>
<main>
{% set levels = {"sv": {"information": "information", "consultation": "samråd", "dialogue": "dialog",
                        "partnership": "partnerskap"},
                 "en": {"information": "information", "consultation": "consultation", "dialogue": "dialogue",
                        "partnership": "partnership"}}[language] %}
{% macro what(about) %}
<ul>
{% for item in about.targets %}
  {% if language == "en" %}
  <li>{% if item.scope == "forum" %}meetings in the forum {{ item.target }}
  {%- elif item.scope == "organisation" %}meetings of the forums the organisation {{ item.target }} sits in
  {%- else %}meetings at the level {{ levels.get(item.target, item.target) }}{% endif %}</li>
  {% else %}
  <li>{% if item.scope == "forum" %}möten i forumet {{ item.target }}
  {%- elif item.scope == "organisation" %}möten i de forum där organisationen {{ item.target }} är med
  {%- else %}möten på nivån {{ levels.get(item.target, item.target) }}{% endif %}</li>
  {% endif %}
{% endfor %}
</ul>
{% endmacro %}
{% if about is none %}
  {% if language == "en" %}
  <h1>The link does not work</h1>
  <p>This confirmation link is not valid. It may have expired: a link works for 7 days.
  <a href="/e-post?lang=en">Ask for e-mail again</a>, and you get a new link.</p>
  {% else %}
  <h1>Länken fungerar inte</h1>
  <p>Den här länken för att bekräfta gäller inte. Den kan ha gått ut: en länk gäller i 7 dagar.
  <a href="/e-post">Anmäl dig igen</a>, så får du en ny länk.</p>
  {% endif %}
{% elif about.state == "expired" %}
  {% if language == "en" %}
  <h1>The link has expired</h1>
  <p>This link to confirm e-mail to {{ about.address }} is too old, or a newer one has been sent.
  Nothing was confirmed, and you will get no e-mail. Use the link in the latest message, or
  <a href="/e-post?lang=en">ask for e-mail again</a>.</p>
  {% else %}
  <h1>Länken har gått ut</h1>
  <p>Länken för att bekräfta mejl till {{ about.address }} är för gammal, eller så har vi skickat en nyare.
  Inget är bekräftat och du får inga mejl. Använd länken i det senaste mejlet, eller
  <a href="/e-post">anmäl dig igen</a>.</p>
  {% endif %}
{% elif about.state == "confirmed" %}
  {% if language == "en" %}
  <h1>Thank you, it is confirmed</h1>
  <p>We will send e-mail to {{ about.address }} about</p>
  {{ what(about) }}
  <p>Every message has a link to stop them.</p>
  {% else %}
  <h1>Tack, nu är det bekräftat</h1>
  <p>Vi skickar mejl till {{ about.address }} om</p>
  {{ what(about) }}
  <p>I varje mejl finns en länk om du vill sluta få dem.</p>
  {% endif %}
{% else %}
  {% if language == "en" %}
  <h1>Confirm e-mail</h1>
  <p>Do you want e-mail to {{ about.address }} about</p>
  {{ what(about) }}
  {% else %}
  <h1>Bekräfta e-post</h1>
  <p>Vill du få mejl till {{ about.address }} om</p>
  {{ what(about) }}
  {% endif %}
  <form method="post">
  {% if csrf_token is defined %}<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">{% endif %}
  <button type="submit">{% if language == "en" %}Confirm{% else %}Bekräfta{% endif %}</button>
  </form>
  {% if language == "en" %}
  <p>Did you not ask for this? Then close this page: without confirmation we send nothing and delete the address.</p>
  {% else %}
  <p>Har du inte bett om det här? Stäng då sidan. Utan bekräftelse skickar vi inget och tar bort adressen.</p>
  {% endif %}
{% endif %}
</main>
</body>
</html>
"""
