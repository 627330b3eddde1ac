<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an Atom feed to a person who opens it in a browser: the site's look, what a feed is
     and how to follow it, then the entries. Programs read the feed itself and ignore this. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat" indent="yes"/>

  <xsl:variable name="self" select="/atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="page" select="/atom:feed/atom:link[@rel='alternate']/@href"/>

  <xsl:template match="/atom:feed">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/> · feed</title>
        <link rel="icon" href="/emblem"/>
        <link rel="stylesheet" href="/static/prongsai.css"/>
        <link rel="stylesheet" href="/identity.css"/>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="site">
          <div class="bar">
            <a class="brand" href="/">
              <img src="/emblem" alt="" width="40" height="40"/>
              <span><xsl:value-of select="atom:author/atom:name"/><span class="by">Public procurement and permits · <span lang="th">การจัดซื้อจัดจ้างและการอนุญาตของรัฐ</span></span></span>
            </a>
          </div>
        </header>
        <main id="main" tabindex="-1" class="feed">
          <p class="crumbs">Feed · <span lang="th">ฟีด</span></p>
          <h1><xsl:value-of select="atom:title"/></h1>
          <section class="notice feed-about" aria-labelledby="about-feeds">
            <h2 id="about-feeds">This page is a feed</h2>
            <p>A feed tells you when something new is published here, without you having to come back and look.
              To follow it, copy this page's address into a feed reader (such as Feedly, Inoreader, NetNewsWire or Thunderbird) or an e-mail-by-feed service:</p>
            <p><code class="feed-url"><xsl:value-of select="$self"/></code></p>
            <p><a href="{$page}">See the same records on the site</a></p>
            <div lang="th">
              <h2>หน้านี้คือฟีด</h2>
              <p>ฟีดจะแจ้งให้ท่านทราบเมื่อมีรายการใหม่เผยแพร่ที่นี่ โดยไม่ต้องกลับมาตรวจดูเอง
                หากต้องการติดตาม ให้คัดลอกที่อยู่ของหน้านี้ไปใส่ในโปรแกรมอ่านฟีด (เช่น Feedly, Inoreader, NetNewsWire หรือ Thunderbird) หรือบริการส่งฟีดทางอีเมล</p>
              <p><a href="{$page}">ดูรายการเดียวกันบนเว็บไซต์</a></p>
            </div>
          </section>
          <h2>Latest entries · <span lang="th">รายการล่าสุด</span></h2>
          <p class="muted">Updated <xsl:value-of select="translate(substring(atom:updated, 1, 16), 'T', ' ')"/> UTC</p>
          <xsl:choose>
            <xsl:when test="atom:entry">
              <ol class="feed-entries plain">
                <xsl:apply-templates select="atom:entry"/>
              </ol>
            </xsl:when>
            <xsl:otherwise>
              <p>Nothing has been published in this feed yet. · <span lang="th">ยังไม่มีรายการในฟีดนี้</span></p>
            </xsl:otherwise>
          </xsl:choose>
        </main>
        <footer class="site">
          <div class="inner">
            <p><xsl:value-of select="atom:rights"/></p>
          </div>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="feed-entry">
      <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="muted"><time datetime="{atom:updated}"><xsl:value-of select="translate(substring(atom:updated, 1, 16), 'T', ' ')"/> UTC</time></p>
      <p><xsl:value-of select="atom:summary"/></p>
    </li>
  </xsl:template>
</xsl:stylesheet>
